//! Imports from public registers. Files are streamed element by element, never held whole;
//! a bad element is reported with its position while the rest is imported.

pub mod er;

use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};

/// A rejected element: which file, which position in its array (1-based), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub file: String,
    pub position: usize,
    pub reason: String,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} #{}: {}", self.file, self.position, self.reason)
    }
}

/// Counts for one import run.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub rejected: Vec<Rejected>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} inserted, {} updated, {} unchanged, {} removed, {} rejected",
            self.inserted,
            self.updated,
            self.unchanged,
            self.removed,
            self.rejected.len()
        )
    }
}

/// Calls `each(position, element)` for every element of the JSON array in `reader`, streaming.
pub fn for_each_element<R: Read>(
    reader: R,
    mut each: impl FnMut(usize, serde_json::Value) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    struct Seed<'a, F>(&'a mut F);
    struct ArrayVisitor<'a, F>(&'a mut F);

    impl<'de, F: FnMut(usize, serde_json::Value) -> anyhow::Result<()>> DeserializeSeed<'de>
        for Seed<'_, F>
    {
        type Value = usize;
        fn deserialize<D: serde::Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<usize, D::Error> {
            deserializer.deserialize_seq(ArrayVisitor(self.0))
        }
    }

    impl<'de, F: FnMut(usize, serde_json::Value) -> anyhow::Result<()>> Visitor<'de>
        for ArrayVisitor<'_, F>
    {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
            let mut n = 0;
            while let Some(value) = seq.next_element::<serde_json::Value>()? {
                n += 1;
                (self.0)(n, value).map_err(serde::de::Error::custom)?;
            }
            Ok(n)
        }
    }

    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let n = Seed(&mut each).deserialize(&mut de)?;
    de.end()?;
    Ok(n)
}
