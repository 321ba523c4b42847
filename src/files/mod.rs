//! The files trailguard reads and writes: the few places that touch the file system directly,
//! so every input is bounded and every output is replaced safely.

pub mod read;
pub mod write;
