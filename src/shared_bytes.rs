//! Bytes that share the buffer they were read from. The facts cache file holds every
//! file's encoded uses (41 of the 64 MB of a 10,000-class org's), and a plan decodes the
//! uses of few files: facts read from the cache keep theirs as slices of the file's
//! buffer rather than as copies.

use std::ops::{Deref, Range};
use std::sync::Arc;

/// A part of a shared buffer (a mapped file, a file read whole, or bytes of its own).
#[derive(Clone)]
pub struct SharedBytes {
    buffer: Arc<dyn AsRef<[u8]> + Send + Sync>,
    range: Range<usize>,
}

impl SharedBytes {
    /// The whole of `buffer`.
    pub fn new(buffer: Arc<impl AsRef<[u8]> + Send + Sync + 'static>) -> SharedBytes {
        let range = 0..(*buffer).as_ref().len();
        SharedBytes { buffer, range }
    }

    /// `part` as a slice of the same buffer, when it lies within these bytes (found by
    /// its address: a slice borrowed from them); `None` otherwise.
    pub fn share(&self, part: &[u8]) -> Option<SharedBytes> {
        let whole = self.deref();
        let offset = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
        let end = offset.checked_add(part.len())?;
        (end <= whole.len()).then(|| SharedBytes {
            buffer: Arc::clone(&self.buffer),
            range: self.range.start + offset..self.range.start + end,
        })
    }
}

impl Deref for SharedBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &(*self.buffer).as_ref()[self.range.clone()]
    }
}

impl From<Vec<u8>> for SharedBytes {
    /// Without the vector's spare capacity: a cold plan holds the encoded uses of every
    /// file it parsed, each in a vector grown by doubling (with it, a cold 10,000-class
    /// plan peaked 1-2 MB higher).
    fn from(bytes: Vec<u8>) -> SharedBytes {
        SharedBytes::new(Arc::new(bytes.into_boxed_slice()))
    }
}

impl std::fmt::Debug for SharedBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SharedBytes({} bytes)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_borrowed_from_the_bytes_is_shared_and_any_other_is_not() {
        let whole = SharedBytes::from(b"0123456789".to_vec());
        let middle = whole.share(&whole[2..7]).expect("a part of the bytes");
        assert_eq!(&*middle, b"23456");
        let inner = middle.share(&middle[1..3]).expect("a part of the part");
        assert_eq!(&*inner, b"34");
        assert_eq!(&*middle.share(&middle[5..]).expect("its empty end"), b"");
        // Bytes of the buffer outside the part, and bytes of another buffer, are not.
        assert!(middle.share(&whole[6..9]).is_none());
        assert!(middle.share(&whole[..1]).is_none());
        let other = b"23456".to_vec();
        assert!(whole.share(&other).is_none());
    }
}
