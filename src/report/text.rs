//! placeholder
use super::{RenderOptions, Report};
use std::io::{self, Write};
/// x
pub fn render(_r: &Report, _o: &RenderOptions, _out: &mut dyn Write) -> io::Result<()> {
    Ok(())
}
