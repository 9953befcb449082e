//! Tables as Go's `text/tabwriter` prints them with the reference's settings
//! (`tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)`): every cell is padded with
//! spaces to its column's widest cell plus 3, including the last cell of a
//! row, so lines keep trailing spaces, exactly as the reference prints them.

/// Renders rows of cells (each cell tab-terminated in the reference).
/// Widths count characters, as tabwriter counts runes.
pub fn render(rows: &[Vec<String>]) -> String {
    const PADDING: usize = 3;
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    // A cell is one line: its control characters are shown escaped.
    let rows: Vec<Vec<std::borrow::Cow<'_, str>>> = rows
        .iter()
        .map(|row| row.iter().map(|c| super::escape::line(c)).collect())
        .collect();
    let mut widths = vec![0usize; columns];
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count() + PADDING);
        }
    }
    let mut out = String::new();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            out.extend(std::iter::repeat_n(' ', widths[i] - cell.chars().count()));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_like_tabwriter() {
        let rows = vec![
            vec![
                "STORE TYPE".to_string(),
                "STORE NAME".into(),
                "CERTIFICATE".into(),
            ],
            vec!["ca".to_string(), "e2e".into(), "e2e.crt".into()],
        ];
        assert_eq!(
            render(&rows),
            "STORE TYPE   STORE NAME   CERTIFICATE   \nca           e2e          e2e.crt       \n"
        );
    }

    #[test]
    fn cells_are_escaped_and_measured_escaped() {
        let rows = vec![
            vec!["KEY".to_string(), "VALUE".into()],
            vec!["k".to_string(), "a\x1b[2Jb\nc".into()],
        ];
        assert_eq!(
            render(&rows),
            "KEY   VALUE          \nk     a\\x1b[2Jb\\nc   \n"
        );
    }
}
