//! C2SP tlog-tiles v0.1.0: tile and entry-bundle paths and contents.
//!
//! * A hash tile at level `L`, index `N` holds up to 256 consecutive Merkle
//!   tree hashes of tree level `8·L` (level 0: leaf hashes), concatenated,
//!   32 bytes each. It is served at `tile/<L>/<N>` when full and at
//!   `tile/<L>/<N>.p/<W>` when it holds only `W` (1–255) hashes.
//! * `<N>` is written in 3-digit groups, all but the last prefixed with `x`:
//!   1234067 → `x001/x234/067`.
//! * An entry bundle `tile/entries/<N>[.p/<W>]` holds the entries of leaves
//!   `256·N …`, each as a big-endian `uint16` length and the bytes — hence
//!   the 65,535-byte limit on an entry ([`MAX_ENTRY_SIZE`]).
//!
//! Tiles only grow: the first `W` hashes of a tile never change, so a
//! partial tile of width `W` is the prefix of any wider version.

use crate::hash::{HASH_SIZE, Hash, node_hash};
use crate::merkle::NodeId;
use std::fmt;

/// Tree levels per tile.
pub const TILE_HEIGHT: u8 = 8;
/// Hashes in a full tile.
pub const TILE_WIDTH: u16 = 256;
/// Largest entry an entry bundle can hold (its length is a `uint16`).
pub const MAX_ENTRY_SIZE: usize = u16::MAX as usize;
/// Highest tile level the path syntax allows.
pub const MAX_TILE_LEVEL: u8 = 63;
/// Longest tile path accepted by [`TilePath::parse`].
const MAX_PATH_LEN: usize = 128;

/// Which tile: a hash tile level or the entry bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileKind {
    /// Hashes of tree level `8·level`.
    Hash(u8),
    /// Log entries.
    Entries,
}

/// A tile resource: kind, index and width (256 for a full tile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TilePath {
    /// Hash level or entries.
    pub kind: TileKind,
    /// Index within the level.
    pub index: u64,
    /// Number of hashes or entries, 1–256.
    pub width: u16,
}

/// A malformed tile path or tile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// The path does not follow tlog-tiles.
    #[error("malformed tile path {path:?}: {reason}")]
    BadPath {
        /// Path given (truncated).
        path: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// Width outside 1–256.
    #[error("tile width {0} is outside 1–256")]
    BadWidth(u16),
    /// Level beyond 63.
    #[error("tile level {0} is above the maximum of 63")]
    BadLevel(u8),
    /// Hash tile data not a whole number of hashes, or of the wrong width.
    #[error("hash tile data is {len} bytes, expected {expected}")]
    BadTileData {
        /// Bytes given.
        len: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// Entry bundle truncated or with the wrong number of entries.
    #[error("malformed entry bundle: {0}")]
    BadBundle(&'static str),
    /// Entry too large for a bundle.
    #[error("entry of {0} bytes exceeds the maximum of 65535")]
    EntryTooLarge(usize),
}

impl TilePath {
    /// A hash tile path.
    pub fn hash(level: u8, index: u64, width: u16) -> Result<Self, TileError> {
        if level > MAX_TILE_LEVEL {
            return Err(TileError::BadLevel(level));
        }
        Self::checked(TileKind::Hash(level), index, width)
    }

    /// An entry bundle path.
    pub fn entries(index: u64, width: u16) -> Result<Self, TileError> {
        Self::checked(TileKind::Entries, index, width)
    }

    fn checked(kind: TileKind, index: u64, width: u16) -> Result<Self, TileError> {
        if width == 0 || width > TILE_WIDTH {
            return Err(TileError::BadWidth(width));
        }
        Ok(Self { kind, index, width })
    }

    /// True for a full (256-wide) tile.
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// Parses `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`, strictly:
    /// only the canonical form of each number is accepted.
    pub fn parse(path: &str) -> Result<Self, TileError> {
        let bad = |reason| TileError::BadPath {
            path: path.chars().take(MAX_PATH_LEN).collect(),
            reason,
        };
        if path.len() > MAX_PATH_LEN {
            return Err(bad("too long"));
        }
        let rest = path
            .strip_prefix("tile/")
            .ok_or_else(|| bad("must start with tile/"))?;
        let (level, rest) = rest
            .split_once('/')
            .ok_or_else(|| bad("missing tile index"))?;
        let kind = if level == "entries" {
            TileKind::Entries
        } else {
            let level = parse_decimal(level, 63).ok_or_else(|| bad("level must be 0–63"))?;
            TileKind::Hash(level as u8)
        };
        let (index_part, width) = match rest.split_once(".p/") {
            Some((index, width)) => {
                let w = parse_decimal(width, 255)
                    .filter(|&w| w >= 1)
                    .ok_or_else(|| bad("partial width must be 1–255"))?;
                (index, w as u16)
            }
            None => (rest, TILE_WIDTH),
        };
        let mut index: u64 = 0;
        let groups: Vec<&str> = index_part.split('/').collect();
        for (i, group) in groups.iter().enumerate() {
            let last = i + 1 == groups.len();
            let digits = if last {
                *group
            } else {
                group
                    .strip_prefix('x')
                    .ok_or_else(|| bad("index groups before the last start with x"))?
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("index groups are 3 digits"));
            }
            index = index
                .checked_mul(1000)
                .and_then(|n| n.checked_add(digits.parse::<u64>().ok()?))
                .ok_or_else(|| bad("index overflows"))?;
        }
        let parsed = Self { kind, index, width };
        if parsed.to_string() != path {
            return Err(bad("not in canonical form (leading zero groups?)"));
        }
        Ok(parsed)
    }
}

fn parse_decimal(text: &str, max: u64) -> Option<u64> {
    if text.is_empty() || text.len() > 20 || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u64>().ok().filter(|&n| n <= max)
}

/// `<N>` in 3-digit groups: 1234067 → `x001/x234/067`.
pub fn format_index(index: u64) -> String {
    let mut groups = vec![format!("{:03}", index % 1000)];
    let mut n = index / 1000;
    while n > 0 {
        groups.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

impl fmt::Display for TilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TileKind::Hash(level) => write!(f, "tile/{level}/{}", format_index(self.index))?,
            TileKind::Entries => write!(f, "tile/entries/{}", format_index(self.index))?,
        }
        if !self.is_full() {
            write!(f, ".p/{}", self.width)?;
        }
        Ok(())
    }
}

/// Where a stored node lives: tile `(level, index)`, and the run of hashes
/// `[offset, offset + count)` in it whose perfect-subtree root it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeLocation {
    /// Hash tile level.
    pub tile_level: u8,
    /// Tile index.
    pub tile_index: u64,
    /// First hash used.
    pub offset: usize,
    /// Hashes used (a power of two, ≤ 128).
    pub count: usize,
}

impl NodeLocation {
    /// Bytes of the tile the node needs.
    pub fn needed_len(&self) -> usize {
        (self.offset + self.count) * HASH_SIZE
    }
}

/// The tile hashes a node is computed from.
pub fn node_location(id: NodeId) -> NodeLocation {
    let tile_level = id.level / TILE_HEIGHT;
    let k = id.level % TILE_HEIGHT;
    let first = id.index << k;
    NodeLocation {
        tile_level,
        tile_index: first >> TILE_HEIGHT,
        offset: (first & u64::from(TILE_WIDTH - 1)) as usize,
        count: 1 << k,
    }
}

/// Computes a node's hash from the tile data holding it.
pub fn node_from_tile(location: &NodeLocation, tile: &[u8]) -> Result<Hash, TileError> {
    let end = location.needed_len();
    if tile.len() < end || !tile.len().is_multiple_of(HASH_SIZE) {
        return Err(TileError::BadTileData {
            len: tile.len(),
            expected: end,
        });
    }
    let mut level: Vec<Hash> = tile[location.offset * HASH_SIZE..end]
        .chunks_exact(HASH_SIZE)
        .map(|c| Hash::from_slice(c).expect("chunks are 32 bytes"))
        .collect();
    while level.len() > 1 {
        level = level
            .chunks_exact(2)
            .map(|p| node_hash(&p[0], &p[1]))
            .collect();
    }
    Ok(level[0])
}

/// Width of hash tile `(level, index)` in a tree of `size` leaves (0 if the
/// tile does not exist yet).
pub fn tile_width(kind: TileKind, index: u64, size: u64) -> u16 {
    let level_count = match kind {
        TileKind::Hash(level) => {
            let shift = u32::from(level) * u32::from(TILE_HEIGHT);
            if shift >= 64 { 0 } else { size >> shift }
        }
        TileKind::Entries => size,
    };
    let start = index.saturating_mul(u64::from(TILE_WIDTH));
    if level_count <= start {
        0
    } else {
        (level_count - start).min(u64::from(TILE_WIDTH)) as u16
    }
}

/// Every tile a tree of `size` leaves consists of, full and partial (as in
/// tlog-tiles: size 70,000 → 273 full + 1 partial level-0 tiles, …).
pub fn tiles_for_size(size: u64) -> Vec<TilePath> {
    let mut out = Vec::new();
    for level in 0..=MAX_TILE_LEVEL {
        let shift = u32::from(level) * u32::from(TILE_HEIGHT);
        if shift >= 64 || size >> shift == 0 {
            break;
        }
        let count = size >> shift;
        for index in 0..count.div_ceil(u64::from(TILE_WIDTH)) {
            let width = tile_width(TileKind::Hash(level), index, size);
            out.push(TilePath {
                kind: TileKind::Hash(level),
                index,
                width,
            });
        }
    }
    out
}

/// Encodes entries as an entry bundle.
pub fn encode_bundle<'a>(
    entries: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<u8>, TileError> {
    let mut out = Vec::new();
    for entry in entries {
        let len = u16::try_from(entry.len()).map_err(|_| TileError::EntryTooLarge(entry.len()))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(entry);
    }
    Ok(out)
}

/// Decodes an entry bundle; `width` is the number of entries it must hold.
pub fn decode_bundle(data: &[u8], width: u16) -> Result<Vec<&[u8]>, TileError> {
    let mut out = Vec::with_capacity(usize::from(width));
    let mut rest = data;
    while !rest.is_empty() {
        if out.len() == usize::from(TILE_WIDTH) {
            return Err(TileError::BadBundle("more than 256 entries"));
        }
        let [hi, lo, tail @ ..] = rest else {
            return Err(TileError::BadBundle("truncated length prefix"));
        };
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        if tail.len() < len {
            return Err(TileError::BadBundle("entry shorter than its length prefix"));
        }
        out.push(&tail[..len]);
        rest = &tail[len..];
    }
    if out.len() != usize::from(width) {
        return Err(TileError::BadBundle(
            "number of entries differs from the tile width",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;
    use crate::merkle::MemoryTree;

    #[test]
    fn spec_path_examples() {
        assert_eq!(format_index(1234067), "x001/x234/067");
        let p = TilePath::parse("tile/0/x001/x234/067").unwrap();
        assert_eq!(
            (p.kind, p.index, p.width),
            (TileKind::Hash(0), 1234067, 256)
        );
        let p = TilePath::parse("tile/entries/x001/x234/067.p/8").unwrap();
        assert_eq!((p.kind, p.index, p.width), (TileKind::Entries, 1234067, 8));
        assert_eq!(
            TilePath::hash(2, 5, 1).unwrap().to_string(),
            "tile/2/005.p/1"
        );
        for bad in [
            "tile/0/1234067",
            "tile/0/x001/234/067",
            "tile/0/x000/067",
            "tile/00/000",
            "tile/64/000",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/000.p/010",
            "tile/0/000/",
            "tiles/0/000",
            "tile/0/x99999999999999999999/000",
        ] {
            assert!(TilePath::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn spec_size_example() {
        // tlog-tiles: size 70,000 → 273 full level-0 tiles, a partial level-0
        // tile of width 112, a full level-1 tile, a partial level-1 tile of
        // width 17 and a partial level-2 tile of width 1.
        let tiles = tiles_for_size(70_000);
        let level = |l| tiles.iter().filter(move |t| t.kind == TileKind::Hash(l));
        assert_eq!(level(0).filter(|t| t.is_full()).count(), 273);
        assert_eq!(
            level(0)
                .filter(|t| !t.is_full())
                .map(|t| t.width)
                .collect::<Vec<_>>(),
            [112]
        );
        assert_eq!(level(1).map(|t| t.width).collect::<Vec<_>>(), [256, 17]);
        assert_eq!(level(2).map(|t| t.width).collect::<Vec<_>>(), [1]);
        let t256 = tiles_for_size(256);
        assert_eq!(t256.len(), 2);
        assert_eq!((t256[1].kind, t256[1].width), (TileKind::Hash(1), 1));
    }

    #[test]
    fn nodes_come_from_tiles() {
        let mut tree = MemoryTree::new();
        for i in 0..(256u32 * 3 + 7) {
            tree.push(leaf_hash(&i.to_be_bytes()));
        }
        let level0: Vec<u8> = (256..512)
            .flat_map(|i| tree.node(NodeId::new(0, i)).unwrap().0)
            .collect();
        for level in 0..=8u8 {
            let id = NodeId::new(level, 256 >> level);
            let loc = node_location(id);
            assert_eq!(
                (loc.tile_level, loc.tile_index),
                (u8::from(level == 8), 1 >> (8 * u8::from(level == 8)))
            );
            if level < 8 {
                assert_eq!(
                    node_from_tile(&loc, &level0).unwrap(),
                    tree.node(id).unwrap()
                );
            }
        }
    }

    #[test]
    fn bundles_round_trip_and_reject_garbage() {
        let entries: Vec<&[u8]> = vec![b"", b"a", &[7; 300]];
        let data = encode_bundle(entries.iter().copied()).unwrap();
        assert_eq!(decode_bundle(&data, 3).unwrap(), entries);
        assert!(decode_bundle(&data, 2).is_err());
        assert!(decode_bundle(&data[..data.len() - 1], 3).is_err());
        assert!(decode_bundle(&[0], 1).is_err());
        assert!(encode_bundle([&[0u8; 65536][..]]).is_err());
    }
}
