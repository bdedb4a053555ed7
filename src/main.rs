mod facts;
mod metadata;
mod parse;

fn main() {}
