//! Line numbers of CSV records, for errors that name them. The csv crate's
//! own count (`Position::line`) falls one short per record after a CRLF line
//! ending, and three of the shipped FMTI files end their lines so.

/// Finds the line of each record from its byte offset, for records read in
/// order (each call scans only the text since the last one).
pub struct CsvLines<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> CsvLines<'a> {
    /// Lines of `text`, the whole CSV as read.
    pub fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line on which the record starting at `position` begins.
    pub fn line(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return 0;
        };
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        // After a CRLF the reader's position can sit on the '\n' it ends with.
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.text[self.offset..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = start;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<u64> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut lines = CsvLines::new(text.as_bytes());
        reader
            .records()
            .map(|record| lines.line(record.unwrap().position()))
            .collect()
    }

    #[test]
    fn records_are_numbered_by_the_line_they_start_on() {
        assert_eq!(lines("a,b\n1,2\n3,4\n"), [1, 2, 3]);
        assert_eq!(lines("a,b\r\n1,2\r\n3,4\r\n"), [1, 2, 3]);
        // A quoted cell over two lines, and a blank line the reader skips.
        assert_eq!(lines("a,b\r\n\"x\r\ny\",2\r\n\r\n3,4\r\n"), [1, 2, 5]);
        assert_eq!(lines("a,b\n\"x\ny\",2\n\n3,4"), [1, 2, 5]);
    }
}
