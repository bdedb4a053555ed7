//! Timestamps of result files and org records, as milliseconds since the epoch.
//!
//! The formats write ISO-8601 in several spellings: `2024-06-03T09:14:22.000Z` (sf CLI),
//! `2024-05-01T12:00:01.000+0000` (the API's `TestTimestamp`, no colon in the offset),
//! `2024-06-08T10:00:00` (JUnit, no zone), sometimes with a space instead of `T`. A time
//! without a zone is read as UTC: the history needs one order, not the wall clock.

/// Milliseconds since the Unix epoch of an ISO-8601 date-time; `None` when the text is
/// not one (a date alone counts as its midnight).
pub fn timestamp_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    if bytes.len() == 10 {
        return Some(millis);
    }
    if !matches!(bytes[10], b'T' | b't' | b' ') || bytes.len() < 19 {
        return None;
    }
    if bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    millis += ((hour * 60 + minute) * 60 + second) * 1000;
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(',')) {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let ms: String = fraction[..digits]
            .chars()
            .chain("000".chars())
            .take(3)
            .collect();
        millis += ms.parse::<i64>().ok()?;
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        "" | "Z" | "z" => 0,
        zone => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let hours: i64 = digits[..2].parse().ok()?;
            let minutes: i64 = digits[2..].parse().ok()?;
            sign * (hours * 60 + minutes)
        }
    };
    Some(millis - offset_minutes * 60_000)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_spelling_of_one_instant() {
        let utc = timestamp_ms("2024-05-01T12:00:01.000Z").expect("utc");
        assert_eq!(utc, 1_714_564_801_000);
        assert_eq!(timestamp_ms("2024-05-01T12:00:01.000+0000"), Some(utc));
        assert_eq!(timestamp_ms("2024-05-01T14:00:01+02:00"), Some(utc));
        assert_eq!(timestamp_ms("2024-05-01 12:00:01"), Some(utc));
        assert_eq!(timestamp_ms("2024-05-01T12:00:01.5Z"), Some(utc + 500));
        assert_eq!(timestamp_ms("1970-01-01"), Some(0));
        assert_eq!(timestamp_ms("1969-12-31T23:59:59Z"), Some(-1000));
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for text in [
            "",
            "yesterday",
            "2024-13-01",
            "2024-05-01T25:00:00Z",
            "2024-05-01T12:00:01+5",
            "2024-05-01T12:00:01.Z",
            "２０２４-05-01",
        ] {
            assert_eq!(timestamp_ms(text), None, "{text}");
        }
    }
}
