//! Trees drawn with box characters, byte for byte as the reference's
//! `display/metadata/tree` package draws them. Labels are escaped
//! ([`super::escape`]) so that their text cannot break the tree.
// Requirements: X3.

use std::fmt::Write;

const ITEM: &str = "├── ";
const LAST_ITEM: &str = "└── ";
const SUBTREE: &str = "│   ";
const LAST_SUBTREE: &str = "    ";

/// A node with a label and children.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Node {
    value: String,
    children: Vec<Node>,
}

impl Node {
    /// A node labelled `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            children: Vec::new(),
        }
    }

    /// Appends a child labelled `value` and returns it.
    pub fn add(&mut self, value: impl Into<String>) -> &mut Node {
        self.children.push(Node::new(value));
        self.children.last_mut().expect("just pushed")
    }

    /// Appends a child labelled `key: value` and returns it.
    pub fn add_pair(&mut self, key: &str, value: &str) -> &mut Node {
        self.add(format!("{key}: {value}"))
    }

    /// Appends an existing node.
    pub fn push(&mut self, node: Node) {
        self.children.push(node);
    }

    /// The label.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The children.
    pub fn children(&self) -> &[Node] {
        &self.children
    }

    /// The tree as text, one node per line, each line ending in `\n`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        render(&mut out, "", "", "", self);
        out
    }
}

fn render(out: &mut String, prefix: &str, marker: &str, next_prefix: &str, node: &Node) {
    // A label is one line: a newline or an escape sequence in it (an
    // annotation, a certificate subject) is shown escaped.
    let _ = writeln!(out, "{prefix}{marker}{}", super::escape::line(&node.value));
    let count = node.children.len();
    for (i, child) in node.children.iter().enumerate() {
        let (item, sub) = if i + 1 == count {
            (LAST_ITEM, LAST_SUBTREE)
        } else {
            (ITEM, SUBTREE)
        };
        render(
            out,
            next_prefix,
            item,
            &format!("{next_prefix}{sub}"),
            child,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_like_the_reference() {
        let mut root = Node::new("root");
        let a = root.add("a");
        a.add_pair("k", "v").add("deep");
        a.add("a2");
        root.add("b").add("b1");
        assert_eq!(
            root.render(),
            "root\n├── a\n│   ├── k: v\n│   │   └── deep\n│   └── a2\n└── b\n    └── b1\n"
        );
    }

    #[test]
    fn labels_cannot_break_the_tree() {
        let mut root = Node::new("root");
        root.add_pair("purpose", "x\n└── forged: \x1b[32mok\x1b[0m");
        assert_eq!(
            root.render(),
            "root\n└── purpose: x\\n└── forged: \\x1b[32mok\\x1b[0m\n"
        );
    }
}
