//! Custom games defined in a TOML file.
//!
//! A matrix game:
//!
//! ```toml
//! name = "Prisoner's dilemma"
//! kind = "matrix"
//! strategies = ["C", "D"]
//! payoffs = [[3.0, 0.0],   # row: payoff of C against C, D
//!            [5.0, 1.0]]   # row: payoff of D against C, D
//! ```
//!
//! A group game lists the payoff of every strategy for every group
//! composition (counts per strategy, summing to `group_size`; use 0 for
//! strategies absent from the group):
//!
//! ```toml
//! kind = "group"
//! strategies = ["C", "D"]
//! group_size = 2
//! groups = [
//!   { composition = [2, 0], payoffs = [3.0, 0.0] },
//!   { composition = [1, 1], payoffs = [0.0, 5.0] },
//!   { composition = [0, 2], payoffs = [0.0, 1.0] },
//! ]
//! ```

use crate::{Game, GameError, GroupGame, MatrixGame, composition};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

/// A game read from a file, with its descriptive fields.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomGame {
    /// Display name (the file's `name`, or "custom").
    pub name: String,
    /// Free-text description, if any.
    pub description: Option<String>,
    /// The game itself.
    pub game: Game,
}

/// A problem in a game file, located by line, column and field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}, column {column}{}: {message}", field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
pub struct GameFileError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The field at fault, when known.
    pub field: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Matrix,
    Group,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: Option<String>,
    description: Option<String>,
    kind: Spanned<Kind>,
    strategies: Spanned<Vec<String>>,
    payoffs: Option<Spanned<Vec<Vec<f64>>>>,
    group_size: Option<Spanned<usize>>,
    groups: Option<Spanned<Vec<Spanned<RawGroup>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    composition: Vec<usize>,
    payoffs: Vec<f64>,
}

/// Parses a game file.
pub fn parse(text: &str) -> Result<CustomGame, GameFileError> {
    let raw: RawFile = toml::from_str(text).map_err(|error| {
        let (line, column) = error
            .span()
            .map(|span| line_column(text, span.start))
            .unwrap_or((1, 1));
        GameFileError {
            line,
            column,
            field: None,
            message: error.message().to_string(),
        }
    })?;
    let at = |span: Range<usize>, field: &str, error: GameError| {
        let (line, column) = line_column(text, span.start);
        GameFileError {
            line,
            column,
            field: Some(field.to_string()),
            message: error.to_string(),
        }
    };
    let missing = |span: Range<usize>, field: &str, why: &str| {
        let (line, column) = line_column(text, span.start);
        GameFileError {
            line,
            column,
            field: Some(field.to_string()),
            message: why.to_string(),
        }
    };
    let strategies_span = raw.strategies.span();
    let strategies = raw.strategies.into_inner();
    crate::check_strategy_names(&strategies).map_err(|e| at(strategies_span, "strategies", e))?;
    let kind_span = raw.kind.span();
    let game = match raw.kind.into_inner() {
        Kind::Matrix => {
            let payoffs = raw.payoffs.ok_or_else(|| {
                missing(
                    kind_span.clone(),
                    "payoffs",
                    "a matrix game needs `payoffs`, one row per strategy",
                )
            })?;
            if raw.group_size.is_some() || raw.groups.is_some() {
                return Err(missing(
                    kind_span,
                    "kind",
                    "`group_size` and `groups` belong to kind = \"group\"",
                ));
            }
            let span = payoffs.span();
            MatrixGame::new(strategies, payoffs.into_inner())
                .map_err(|e| at(span, "payoffs", e))?
                .into()
        }
        Kind::Group => {
            if raw.payoffs.is_some() {
                return Err(missing(
                    kind_span,
                    "kind",
                    "`payoffs` at top level belongs to kind = \"matrix\"; group games list `groups`",
                ));
            }
            let group_size = raw.group_size.ok_or_else(|| {
                missing(
                    kind_span.clone(),
                    "group_size",
                    "a group game needs `group_size`",
                )
            })?;
            let groups = raw.groups.ok_or_else(|| {
                missing(
                    kind_span.clone(),
                    "groups",
                    "a group game needs `groups`, one entry per group composition",
                )
            })?;
            let size_span = group_size.span();
            let group_size = group_size.into_inner();
            if group_size < 2 {
                return Err(at(
                    size_span,
                    "group_size",
                    GameError::GroupSize(group_size),
                ));
            }
            let groups_span = groups.span();
            let table = group_table(&strategies, group_size, groups.into_inner())
                .map_err(|(span, e)| at(span, "groups", e))?;
            if let Some(absent) =
                composition::all(group_size, strategies.len()).find(|c| !table.contains_key(c))
            {
                return Err(at(
                    groups_span,
                    "groups",
                    GameError::MissingComposition(absent),
                ));
            }
            GroupGame::from_fn(strategies, group_size, |group, i| table[group][i])
                .map_err(|e| at(size_span, "groups", e))?
                .into()
        }
    };
    Ok(CustomGame {
        name: raw.name.unwrap_or_else(|| "custom".to_string()),
        description: raw.description,
        game,
    })
}

type GroupTable = BTreeMap<Vec<usize>, Vec<f64>>;

fn group_table(
    strategies: &[String],
    group_size: usize,
    groups: Vec<Spanned<RawGroup>>,
) -> Result<GroupTable, (Range<usize>, GameError)> {
    let n = strategies.len();
    let mut table = BTreeMap::new();
    for entry in groups {
        let span = entry.span();
        let RawGroup {
            composition,
            payoffs,
        } = entry.into_inner();
        if composition.len() != n || composition.iter().sum::<usize>() != group_size {
            return Err((
                span,
                GameError::BadComposition {
                    composition,
                    strategies: n,
                    group_size,
                },
            ));
        }
        if payoffs.len() != n {
            return Err((
                span,
                GameError::PayoffLength {
                    composition,
                    strategies: n,
                },
            ));
        }
        if table.contains_key(&composition) {
            return Err((span, GameError::DuplicateComposition(composition)));
        }
        table.insert(composition, payoffs);
    }
    Ok(table)
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_game_round_trips() {
        let game =
            parse("kind = \"matrix\"\nstrategies = [\"C\", \"D\"]\npayoffs = [[3, 0], [5, 1]]\n")
                .unwrap();
        let Game::Matrix(matrix) = game.game else {
            panic!("expected a matrix game")
        };
        assert_eq!(matrix.payoff(1, 0), 5.0);
        assert_eq!(game.name, "custom");
    }

    #[test]
    fn group_game_matches_its_table() {
        let text = "kind = \"group\"\nstrategies = [\"C\", \"D\"]\ngroup_size = 2\ngroups = [\n  { composition = [2, 0], payoffs = [3.0, 0.0] },\n  { composition = [1, 1], payoffs = [0.0, 5.0] },\n  { composition = [0, 2], payoffs = [0.0, 1.0] },\n]\n";
        let Game::Group(group) = parse(text).unwrap().game else {
            panic!("expected a group game")
        };
        assert_eq!(group.payoff(&[1, 1], 1), 5.0);
        assert_eq!(group.payoff(&[2, 0], 0), 3.0);
    }

    #[test]
    fn wrong_matrix_shape_names_line_and_field() {
        let error =
            parse("kind = \"matrix\"\nstrategies = [\"C\", \"D\"]\npayoffs = [[3, 0], [5]]\n")
                .unwrap_err();
        assert_eq!((error.line, error.field.as_deref()), (3, Some("payoffs")));
        assert!(error.message.contains("2×2"), "{error}");
    }

    #[test]
    fn unknown_field_is_rejected_with_its_line() {
        let error = parse("kind = \"matrix\"\nstrategies = [\"C\"]\npayoffs = [[1]]\npayof = 3\n")
            .unwrap_err();
        assert_eq!(error.line, 4);
        assert!(error.message.contains("payof"), "{error}");
    }

    #[test]
    fn missing_group_composition_is_named() {
        let text = "kind = \"group\"\nstrategies = [\"C\", \"D\"]\ngroup_size = 2\ngroups = [{ composition = [2, 0], payoffs = [1, 0] }]\n";
        let error = parse(text).unwrap_err();
        assert!(error.message.contains("[1, 1]"), "{error}");
        assert_eq!(error.field.as_deref(), Some("groups"));
    }

    #[test]
    fn duplicate_strategy_is_rejected() {
        let error =
            parse("kind = \"matrix\"\nstrategies = [\"C\", \"C\"]\npayoffs = [[1, 1], [1, 1]]\n")
                .unwrap_err();
        assert!(error.message.contains("used twice"), "{error}");
    }
}
