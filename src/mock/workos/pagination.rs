//! Cursor pagination as WorkOS lists do it: `limit` (1-100, default 10),
//! `before` / `after` object ids, `order` `desc` (default), `asc`, or
//! `normal` (newest first, with the cursors' meaning reversed: `before`
//! fetches older records and `after` newer ones).
//!
//! `list_metadata.after` holds the last id of the page when more records
//! follow it, `before` the first id when records precede it (for `normal`,
//! the other way round, so each cursor keeps its documented meaning). A
//! cursor naming no record of the list is answered with 422.

use std::collections::BTreeMap;
use std::ops::Bound;

use super::errors::ApiError;
use super::extract::QueryParams;

/// One page: the items, and the cursors for the neighbouring pages.
#[derive(Debug)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// `list_metadata.before`.
    pub before: Option<String>,
    /// `list_metadata.after`.
    pub after: Option<String>,
}

/// Reads `limit` (1-100, default 10).
pub fn limit(q: &QueryParams) -> Result<usize, ApiError> {
    match q.get("limit") {
        None => Ok(10),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_field(
                "limit",
                "invalid",
                format!("limit must be an integer between 1 and 100; got '{text}'."),
            )),
        },
    }
}

/// Pages `oldest_first` (items in creation order with their ids) as `q` asks.
pub fn paginate<T>(oldest_first: Vec<(String, T)>, q: &QueryParams) -> Result<Page<T>, ApiError> {
    let limit = limit(q)?;
    let order = q
        .one_of("order", &["asc", "desc", "normal"])?
        .unwrap_or_else(|| "desc".to_string());
    let mut items = oldest_first;
    if order != "asc" {
        items.reverse();
    }
    // For `normal`, `before` means "older", which in newest-first order is
    // what `after` means for `desc`.
    let (fwd, back) = if order == "normal" {
        (q.get("before"), q.get("after"))
    } else {
        (q.get("after"), q.get("before"))
    };
    let position = |cursor: &str, name: &str| {
        items
            .iter()
            .position(|(id, _)| id == cursor)
            .ok_or_else(|| {
                ApiError::invalid_field(
                    name,
                    "invalid",
                    format!("{name} must be the id of an object in this list; got '{cursor}'."),
                )
            })
    };
    let fwd_name = if order == "normal" { "before" } else { "after" };
    let back_name = if order == "normal" { "after" } else { "before" };
    let (start, end) = match (fwd, back) {
        (Some(c), _) => {
            let start = position(c, fwd_name)? + 1;
            (start, (start + limit).min(items.len()))
        }
        (None, Some(c)) => {
            let end = position(c, back_name)?;
            (end.saturating_sub(limit), end)
        }
        (None, None) => (0, limit.min(items.len())),
    };
    let more_after = end < items.len();
    let more_before = start > 0;
    let first = items.get(start).map(|(id, _)| id.clone());
    let last = end
        .checked_sub(1)
        .and_then(|i| items.get(i))
        .map(|(id, _)| id.clone());
    let page: Vec<T> = items
        .into_iter()
        .skip(start)
        .take(end.saturating_sub(start))
        .map(|(_, t)| t)
        .collect();
    let (next, prev) = (
        if more_after && !page.is_empty() {
            last
        } else {
            None
        },
        if more_before && !page.is_empty() {
            first
        } else {
            None
        },
    );
    let (before, after) = if order == "normal" {
        (next, prev)
    } else {
        (prev, next)
    };
    Ok(Page {
        items: page,
        before,
        after,
    })
}

/// Pages the records of `index` (creation sequence → id) that `keep`
/// admits (`keep` answers an id with its sequence number and item, or `None`
/// when the record is not in this list). It costs what the page costs: the
/// cursor is found through `keep`, and the walk starts from it in the
/// index, so a store of 200,000 records answers as fast as one of ten.
pub fn paginate_index<T>(
    index: &BTreeMap<u64, String>,
    q: &QueryParams,
    mut keep: impl FnMut(&str) -> Option<(u64, T)>,
) -> Result<Page<T>, ApiError> {
    let limit = limit(q)?;
    let order = q
        .one_of("order", &["asc", "desc", "normal"])?
        .unwrap_or_else(|| "desc".to_string());
    let ascending = order == "asc";
    let (fwd, back) = if order == "normal" {
        (q.get("before"), q.get("after"))
    } else {
        (q.get("after"), q.get("before"))
    };
    let fwd_name = if order == "normal" { "before" } else { "after" };
    let back_name = if order == "normal" { "after" } else { "before" };
    // Ids after `from` (exclusive) walking in the page's direction
    // (`forward`) or against it.
    let walk = |from: Option<u64>, forward: bool| -> Box<dyn Iterator<Item = &String> + '_> {
        let up = forward == ascending;
        match (up, from) {
            (true, None) => Box::new(index.values()),
            (true, Some(s)) => Box::new(
                index
                    .range((Bound::Excluded(s), Bound::Unbounded))
                    .map(|(_, v)| v),
            ),
            (false, None) => Box::new(index.values().rev()),
            (false, Some(s)) => Box::new(index.range(..s).rev().map(|(_, v)| v)),
        }
    };
    let mut seq_of = |cursor: &str, name: &str| {
        keep(cursor).map(|(seq, _)| seq).ok_or_else(|| {
            ApiError::invalid_field(
                name,
                "invalid",
                format!("{name} must be the id of an object in this list; got '{cursor}'."),
            )
        })
    };
    let (from, forward, more_before_known, more_after_known) = match (fwd, back) {
        (Some(c), _) => (Some(seq_of(c, fwd_name)?), true, Some(true), None),
        (None, Some(c)) => (Some(seq_of(c, back_name)?), false, None, Some(true)),
        (None, None) => (None, true, Some(false), None),
    };
    let mut items: Vec<(String, T)> = Vec::with_capacity(limit);
    let mut more = false;
    for id in walk(from, forward) {
        if let Some((_, item)) = keep(id) {
            if items.len() == limit {
                more = true;
                break;
            }
            items.push((id.clone(), item));
        }
    }
    if !forward {
        items.reverse();
    }
    let more_after = more_after_known.unwrap_or(more);
    let more_before = more_before_known.unwrap_or(more);
    let first = items.first().map(|(id, _)| id.clone());
    let last = items.last().map(|(id, _)| id.clone());
    let next = if more_after { last } else { None };
    let prev = if more_before { first } else { None };
    let (before, after) = if order == "normal" {
        (next, prev)
    } else {
        (prev, next)
    };
    Ok(Page {
        items: items.into_iter().map(|(_, t)| t).collect(),
        before,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> QueryParams {
        QueryParams(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        )
    }

    fn ids(n: usize) -> Vec<(String, usize)> {
        (1..=n).map(|i| (format!("x_{i}"), i)).collect()
    }

    #[test]
    fn desc_pages_newest_first_and_after_walks_older() {
        let p = paginate(ids(5), &q(&[("limit", "2")])).expect("page");
        assert_eq!(p.items, vec![5, 4]);
        assert_eq!(p.after.as_deref(), Some("x_4"));
        assert_eq!(p.before, None);
        let p = paginate(ids(5), &q(&[("limit", "2"), ("after", "x_4")])).expect("page");
        assert_eq!(p.items, vec![3, 2]);
        assert_eq!(p.before.as_deref(), Some("x_3"));
        let p = paginate(ids(5), &q(&[("limit", "2"), ("after", "x_2")])).expect("page");
        assert_eq!(p.items, vec![1]);
        assert_eq!(p.after, None);
    }

    #[test]
    fn before_walks_back_towards_the_start() {
        let p = paginate(ids(5), &q(&[("limit", "2"), ("before", "x_2")])).expect("page");
        assert_eq!(p.items, vec![4, 3]);
        assert_eq!(p.before.as_deref(), Some("x_4"));
    }

    #[test]
    fn asc_pages_oldest_first() {
        let p = paginate(ids(3), &q(&[("order", "asc"), ("limit", "2")])).expect("page");
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.after.as_deref(), Some("x_2"));
    }

    #[test]
    fn normal_reverses_the_cursors() {
        let p = paginate(ids(5), &q(&[("order", "normal"), ("limit", "2")])).expect("page");
        assert_eq!(p.items, vec![5, 4]);
        assert_eq!(p.before.as_deref(), Some("x_4"));
        let p = paginate(
            ids(5),
            &q(&[("order", "normal"), ("limit", "2"), ("before", "x_4")]),
        )
        .expect("page");
        assert_eq!(p.items, vec![3, 2]);
    }

    #[test]
    fn the_index_walk_pages_exactly_like_the_full_sort() {
        let index: BTreeMap<u64, String> = (1..=7u64).map(|i| (i * 10, format!("x_{i}"))).collect();
        // Odd records only, as a filter would leave them.
        let keep = |id: &str| {
            let n: usize = id.strip_prefix("x_")?.parse().ok()?;
            (n % 2 == 1).then_some((n as u64 * 10, n))
        };
        let all: Vec<(String, usize)> = (1..=7)
            .filter(|n| n % 2 == 1)
            .map(|n| (format!("x_{n}"), n))
            .collect();
        let mut queries = vec![vec![]];
        for order in ["asc", "desc", "normal"] {
            for limit in ["1", "2", "3", "10"] {
                queries.push(vec![("order", order), ("limit", limit)]);
                for cursor in ["x_1", "x_3", "x_5", "x_7"] {
                    queries.push(vec![("order", order), ("limit", limit), ("after", cursor)]);
                    queries.push(vec![("order", order), ("limit", limit), ("before", cursor)]);
                }
            }
        }
        for pairs in queries {
            let query = q(&pairs);
            let want = paginate(all.clone(), &query).expect("page");
            let got = paginate_index(&index, &query, keep).expect("page");
            assert_eq!(got.items, want.items, "{pairs:?}");
            assert_eq!(got.before, want.before, "{pairs:?}");
            assert_eq!(got.after, want.after, "{pairs:?}");
        }
        let err =
            paginate_index(&index, &q(&[("after", "x_2")]), keep).expect_err("filtered cursor");
        assert_eq!(err.status.as_u16(), 422);
    }

    #[test]
    fn bad_limits_orders_and_cursors_are_422() {
        for bad in [
            q(&[("limit", "0")]),
            q(&[("limit", "101")]),
            q(&[("limit", "ten")]),
            q(&[("order", "sideways")]),
            q(&[("after", "x_99")]),
        ] {
            let err = paginate(ids(3), &bad).expect_err("rejected");
            assert_eq!(err.status.as_u16(), 422);
        }
    }
}
