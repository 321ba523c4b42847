//! Reading and writing the files trailguard is given, safely.

pub mod read;
