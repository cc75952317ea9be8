//! Who observes whom: the graph along which labs form private expectations
//! and imitate (`docs/model.md`, sections 6 and 8). Public information (the
//! leaderboard, announcements) reaches every lab whatever the graph.
//!
//! - **complete**: every lab observes every other (the default, and the
//!   behaviour without a `[network]` table).
//! - **small world** (Watts & Strogatz, *Nature* 393, 1998): a ring where
//!   each lab links to its `k/2` nearest labs on either side, each link then
//!   rewired with probability `β` to a uniformly chosen lab. At `β = 0` the
//!   clustering coefficient is `C(0) = 3(k − 2) / (4(k − 1))`, and
//!   `C(β) ≈ C(0)·(1 − β)³` (Barrat & Weigt, *Eur. Phys. J. B* 13, 2000).
//! - **scale free** (Barabási & Albert, *Science* 286, 1999): labs arrive one
//!   by one and link to `m` distinct earlier labs chosen with probability
//!   proportional to their degree; the degree distribution tends to
//!   `P(d) = 2m(m + 1) / (d(d + 1)(d + 2))` for `d ≥ m` (Dorogovtsev, Mendes
//!   & Samukhin, *PRL* 85, 2000), so a share `2/(m + 2)` of labs keeps `m` links.
//!
//! - **edges**: links listed by lab id, e.g. from survey or collaboration
//!   data; a lab without links observes nobody.
//!
//! Graphs are undirected and simple (no self-loops, no repeated links) and
//! drawn once per run from a stream of their own.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Links a `[network]` may list.
pub const MAX_EDGES: usize = 1_000_000;

/// `[network]`: the observation graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Network {
    /// Every lab observes every other. A struct variant, so that fields of
    /// another kind are refused rather than ignored (serde skips them for a
    /// unit variant).
    Complete {},
    /// Watts–Strogatz small world.
    SmallWorld {
        /// `k`: links per lab before rewiring (even, at least 2, below the number of labs).
        degree: u32,
        /// `β`: probability that a link is rewired, in `[0, 1]`.
        rewiring: f64,
    },
    /// Barabási–Albert preferential attachment.
    ScaleFree {
        /// `m`: links each arriving lab makes (at least 1, below the number of labs).
        links: u32,
    },
    /// A graph given link by link, e.g. from survey or collaboration data.
    Edges {
        /// Undirected links as pairs of lab ids (`lab.name`, suffixed `-1`, `-2`, … for types with `count > 1`).
        edges: Vec<[String; 2]>,
    },
}

impl Default for Network {
    fn default() -> Self {
        Network::Complete {}
    }
}

impl Network {
    /// Whether this is the complete graph (nothing to draw).
    pub fn is_complete(&self) -> bool {
        *self == Network::Complete {}
    }

    /// What is wrong with this network for the labs with these ids, as `(field, message)`.
    pub fn problems(&self, ids: &[String]) -> Vec<(String, String)> {
        let labs = ids.len();
        let mut problems = Vec::new();
        match *self {
            Network::Complete {} => {}
            Network::SmallWorld { degree, rewiring } => {
                let k = degree as usize;
                if k < 2 || !k.is_multiple_of(2) || k >= labs {
                    problems.push((
                        "network.degree".into(),
                        format!(
                            "expected an even degree from 2 to below the {labs} labs, got {degree}"
                        ),
                    ));
                }
                if !(0.0..=1.0).contains(&rewiring) {
                    problems.push((
                        "network.rewiring".into(),
                        format!("expected a probability in [0, 1], got {rewiring}"),
                    ));
                }
            }
            Network::ScaleFree { links } => {
                if links == 0 || links as usize >= labs {
                    problems.push((
                        "network.links".into(),
                        format!("expected 1 to below the {labs} labs, got {links}"),
                    ));
                }
            }
            Network::Edges { ref edges } => {
                if let Err((index, message)) = edge_graph(edges, ids) {
                    let field =
                        index.map_or("network.edges".into(), |i| format!("network.edges[{i}]"));
                    problems.push((field, message));
                }
            }
        }
        problems
    }

    /// Draws the graph on the labs with these ids (None for the complete graph).
    pub fn draw(&self, ids: &[String], rng: &mut ChaCha8Rng) -> Option<Graph> {
        let labs = ids.len();
        match *self {
            Network::Complete {} => None,
            Network::SmallWorld { degree, rewiring } => {
                Some(small_world(labs, degree as usize, rewiring, rng))
            }
            Network::ScaleFree { links } => Some(scale_free(labs, links as usize, rng)),
            Network::Edges { ref edges } => {
                Some(edge_graph(edges, ids).expect("validated with the world"))
            }
        }
    }
}

/// The graph of listed links, or the first bad link (its index) and what is wrong.
fn edge_graph(edges: &[[String; 2]], ids: &[String]) -> Result<Graph, (Option<usize>, String)> {
    if edges.len() > MAX_EDGES {
        return Err((
            None,
            format!("at most {MAX_EDGES} links, got {}", edges.len()),
        ));
    }
    let index: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut graph = Graph::empty(ids.len());
    for (k, [a, b]) in edges.iter().enumerate() {
        let lab = |id: &String| {
            index
                .get(id.as_str())
                .copied()
                .ok_or_else(|| (Some(k), format!("no lab has the id {id:?}")))
        };
        let (a, b) = (lab(a)?, lab(b)?);
        if a == b {
            return Err((
                Some(k),
                format!("a lab cannot link to itself ({:?})", ids[a]),
            ));
        }
        if graph.has_link(a, b) {
            return Err((
                Some(k),
                format!("{:?} and {:?} are already linked", ids[a], ids[b]),
            ));
        }
        graph.link(a, b);
    }
    // The same links listed in another order are the same network and must
    // give the same run (an outside review found the order mattering).
    for around in &mut graph.neighbours {
        around.sort_unstable();
    }
    Ok(graph)
}

/// An undirected simple graph by adjacency lists.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    neighbours: Vec<Vec<u32>>,
}

impl Graph {
    fn empty(labs: usize) -> Self {
        assert!(u32::try_from(labs).is_ok(), "labs are bounded by MAX_LABS");
        Self {
            neighbours: vec![Vec::new(); labs],
        }
    }

    fn has_link(&self, a: usize, b: usize) -> bool {
        self.neighbours[a].contains(&(b as u32))
    }

    fn link(&mut self, a: usize, b: usize) {
        debug_assert!(a != b && !self.has_link(a, b));
        self.neighbours[a].push(b as u32);
        self.neighbours[b].push(a as u32);
    }

    fn unlink(&mut self, a: usize, b: usize) {
        self.neighbours[a].retain(|&x| x as usize != b);
        self.neighbours[b].retain(|&x| x as usize != a);
    }

    /// Labs.
    pub fn len(&self) -> usize {
        self.neighbours.len()
    }

    /// Whether the graph has no lab.
    pub fn is_empty(&self) -> bool {
        self.neighbours.is_empty()
    }

    /// The labs `lab` observes.
    pub fn neighbours(&self, lab: usize) -> &[u32] {
        &self.neighbours[lab]
    }

    /// Every link once, as `(a, b)` with `a < b`, in increasing order.
    pub fn links(&self) -> Vec<(u32, u32)> {
        let mut links: Vec<(u32, u32)> = self
            .neighbours
            .iter()
            .enumerate()
            .flat_map(|(a, around)| {
                let a = a as u32;
                around.iter().filter(move |&&b| a < b).map(move |&b| (a, b))
            })
            .collect();
        links.sort_unstable();
        links
    }

    /// Share of pairs of a lab's neighbours that are linked, averaged over
    /// labs with at least two neighbours (Watts & Strogatz's `C`).
    pub fn clustering(&self) -> f64 {
        let (mut total, mut counted) = (0.0, 0usize);
        for (lab, around) in self.neighbours.iter().enumerate() {
            let d = around.len();
            if d < 2 {
                continue;
            }
            let mut linked = 0usize;
            for (x, &a) in around.iter().enumerate() {
                for &b in &around[x + 1..] {
                    linked += usize::from(self.has_link(a as usize, b as usize));
                }
            }
            debug_assert!(!around.contains(&(lab as u32)));
            total += linked as f64 / (d * (d - 1) / 2) as f64;
            counted += 1;
        }
        if counted == 0 {
            0.0
        } else {
            total / counted as f64
        }
    }
}

/// Watts–Strogatz: ring lattice of degree `k`, each link `(i, i + j)`
/// (`j ≤ k/2`) rewired with probability `β` to a lab that is neither `i` nor
/// already linked to it.
fn small_world(labs: usize, k: usize, rewiring: f64, rng: &mut ChaCha8Rng) -> Graph {
    assert!(
        k >= 2 && k.is_multiple_of(2) && k < labs,
        "validated with the world"
    );
    let mut graph = Graph::empty(labs);
    for i in 0..labs {
        for j in 1..=k / 2 {
            graph.link(i, (i + j) % labs);
        }
    }
    for j in 1..=k / 2 {
        for i in 0..labs {
            let old = (i + j) % labs;
            if rng.random::<f64>() >= rewiring || graph.neighbours[i].len() + 1 >= labs {
                continue;
            }
            let new = loop {
                let candidate = rng.random_range(0..labs);
                if candidate != i && !graph.has_link(i, candidate) {
                    break candidate;
                }
            };
            graph.unlink(i, old);
            graph.link(i, new);
        }
    }
    graph
}

/// Barabási–Albert: a complete core of `m + 1` labs, then each lab links to
/// `m` distinct earlier labs drawn in proportion to their degree.
fn scale_free(labs: usize, m: usize, rng: &mut ChaCha8Rng) -> Graph {
    assert!(m >= 1 && m < labs, "validated with the world");
    let mut graph = Graph::empty(labs);
    // Each lab appears here once per link end: a uniform draw is degree-proportional.
    let mut ends: Vec<u32> = Vec::with_capacity(2 * m * labs);
    for a in 0..=m {
        for b in a + 1..=m {
            graph.link(a, b);
            ends.extend([a as u32, b as u32]);
        }
    }
    let mut targets = Vec::with_capacity(m);
    for new in m + 1..labs {
        targets.clear();
        while targets.len() < m {
            let target = ends[rng.random_range(0..ends.len())] as usize;
            if !targets.contains(&target) {
                targets.push(target);
            }
        }
        for &target in &targets {
            graph.link(new, target);
            ends.extend([new as u32, target as u32]);
        }
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_seed::run_rng;

    #[test]
    fn the_order_links_are_listed_in_does_not_matter() {
        let ids: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let link = |a: &str, b: &str| [a.to_string(), b.to_string()];
        let listed = [
            link("a", "b"),
            link("a", "c"),
            link("b", "c"),
            link("c", "d"),
        ];
        let mut reversed = listed.clone();
        reversed.reverse();
        let flipped: Vec<[String; 2]> =
            listed.iter().map(|[a, b]| [b.clone(), a.clone()]).collect();
        let graph = edge_graph(&listed, &ids).unwrap();
        assert_eq!(edge_graph(&reversed, &ids).unwrap(), graph);
        assert_eq!(edge_graph(&flipped, &ids).unwrap(), graph);
    }

    fn is_simple(graph: &Graph) -> bool {
        (0..graph.len()).all(|a| {
            let around = graph.neighbours(a);
            !around.contains(&(a as u32))
                && around.iter().all(|&b| graph.has_link(b as usize, a))
                && (1..around.len()).all(|x| !around[..x].contains(&around[x]))
        })
    }

    #[test]
    fn a_ring_lattice_has_the_watts_strogatz_clustering() {
        for k in [2, 4, 6, 10] {
            let graph = small_world(200, k, 0.0, &mut run_rng(1, 0));
            assert!(is_simple(&graph));
            assert!((0..200).all(|a| graph.neighbours(a).len() == k));
            let expected = 3.0 * (k as f64 - 2.0) / (4.0 * (k as f64 - 1.0));
            assert!(
                (graph.clustering() - expected).abs() < 1e-12,
                "k {k}: {} vs {expected}",
                graph.clustering()
            );
        }
    }

    #[test]
    fn rewiring_keeps_the_links_and_lowers_clustering_as_barrat_and_weigt_predict() {
        let (labs, k) = (2000, 10);
        let lattice = 3.0 * (k as f64 - 2.0) / (4.0 * (k as f64 - 1.0));
        for beta in [0.05, 0.2, 0.5] {
            let graph = small_world(labs, k, beta, &mut run_rng(2, 0));
            assert!(is_simple(&graph));
            let links: usize = (0..labs).map(|a| graph.neighbours(a).len()).sum();
            assert_eq!(
                links,
                labs * k,
                "rewiring moves links, never adds or drops them"
            );
            let predicted = lattice * (1.0 - beta).powi(3);
            assert!(
                (graph.clustering() - predicted).abs() < 0.03,
                "β {beta}: C {} vs {predicted}",
                graph.clustering()
            );
        }
    }

    #[test]
    fn preferential_attachment_has_the_scale_free_degree_distribution() {
        let labs = 20_000;
        for m in [1, 2, 3] {
            let graph = scale_free(labs, m, &mut run_rng(3, m as u64));
            assert!(is_simple(&graph));
            let degrees: Vec<usize> = (0..labs).map(|a| graph.neighbours(a).len()).collect();
            assert!(degrees.iter().all(|&d| d >= m));
            let links: usize = degrees.iter().sum();
            assert_eq!(links, 2 * (m * (m + 1) / 2 + m * (labs - m - 1)));
            // P(d) = 2m(m+1)/(d(d+1)(d+2)): a share 2/(m+2) keeps m links.
            for d in [m, m + 1, m + 2] {
                let share = degrees.iter().filter(|&&x| x == d).count() as f64 / labs as f64;
                let predicted = 2.0 * (m * (m + 1)) as f64 / (d * (d + 1) * (d + 2)) as f64;
                assert!(
                    (share - predicted).abs() < 0.02,
                    "m {m}, degree {d}: share {share} vs {predicted}"
                );
            }
            // Hubs: the largest degree is far above the mean 2m.
            assert!(*degrees.iter().max().unwrap() > 20 * m);
        }
    }

    #[test]
    fn bad_networks_are_named() {
        let ids = |labs: usize| -> Vec<String> { (0..labs).map(|i| format!("lab-{i}")).collect() };
        let problems = |network: Network, labs| network.problems(&ids(labs));
        assert!(problems(Network::Complete {}, 1).is_empty());
        let odd = problems(
            Network::SmallWorld {
                degree: 3,
                rewiring: 0.1,
            },
            10,
        );
        assert_eq!(odd[0].0, "network.degree");
        let too_dense = problems(
            Network::SmallWorld {
                degree: 10,
                rewiring: 2.0,
            },
            10,
        );
        assert_eq!(too_dense.len(), 2);
        assert_eq!(
            problems(Network::ScaleFree { links: 0 }, 10)[0].0,
            "network.links"
        );
        assert_eq!(problems(Network::ScaleFree { links: 10 }, 10).len(), 1);
        let edges = |pairs: &[(&str, &str)]| Network::Edges {
            edges: pairs
                .iter()
                .map(|(a, b)| [a.to_string(), b.to_string()])
                .collect(),
        };
        assert!(problems(edges(&[("lab-0", "lab-1"), ("lab-1", "lab-2")]), 3).is_empty());
        for (bad, message) in [
            (
                vec![("lab-0", "lab-1"), ("lab-0", "lab-9")],
                "no lab has the id \"lab-9\"",
            ),
            (
                vec![("lab-0", "lab-1"), ("lab-2", "lab-2")],
                "cannot link to itself",
            ),
            (
                vec![("lab-0", "lab-1"), ("lab-1", "lab-0")],
                "already linked",
            ),
        ] {
            let found = problems(edges(&bad), 3);
            assert_eq!(found[0].0, "network.edges[1]");
            assert!(found[0].1.contains(message), "{}", found[0].1);
        }
    }

    #[test]
    fn listed_edges_are_the_graph() {
        let ids: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let network = Network::Edges {
            edges: vec![["a".into(), "b".into()], ["c".into(), "b".into()]],
        };
        let graph = network.draw(&ids, &mut run_rng(1, 0)).unwrap();
        assert!(is_simple(&graph));
        assert_eq!(graph.neighbours(1), &[0, 2]);
        assert!(graph.neighbours(3).is_empty());
    }
}
