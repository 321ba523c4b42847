//! placeholder
use super::Report;
use std::io::{self, Write};
/// x
pub fn render(_r: &Report, _out: &mut dyn Write) -> io::Result<()> {
    Ok(())
}
