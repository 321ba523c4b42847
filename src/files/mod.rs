//! Files trailguard writes (and reads): the few places that touch the file system directly.

pub mod write;
