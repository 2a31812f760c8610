//! Repetition counts against labelled counts: the figures `eval reps` (and
//! any other counting evaluation) prints, in one place so that every
//! counter is measured the same way.
//!
//! Per case the count found and the true count; per group (a source folder,
//! an exercise class) and over all cases:
//! - **exact**: share of cases whose count is right;
//! - **OBO** (off by at most one): share with |found − true| ≤ 1;
//! - **MAE**: mean over cases of |found − true| / true, the normalised
//!   error the repetition-counting literature reports (RepCount-A:
//!   TransRAC, Hu et al. 2022; PoseRAC, Yao et al. 2023).
//!
//! A case that could not be counted at all (an unreadable file) counts as
//! found 0: it is a miss, not left out. A true count of 0 adds |found| to
//! the MAE (there is nothing to divide by; it is rare in labels).

use std::collections::BTreeMap;

use serde::Serialize;

/// One labelled case and what the counter found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountCase {
    /// The clip or sequence, as the labels name it.
    pub source: String,
    /// What the case is summarised under (its folder, its class).
    pub group: String,
    /// The labelled count.
    pub truth: u32,
    /// The count found; None when the case could not be counted.
    pub found: Option<u32>,
    /// Why it could not be counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CountCase {
    /// The count used in the figures: a failed case counts as 0.
    pub fn found_or_zero(&self) -> u32 {
        self.found.unwrap_or(0)
    }

    /// found − true.
    pub fn error_reps(&self) -> i64 {
        i64::from(self.found_or_zero()) - i64::from(self.truth)
    }

    /// |found − true| / true (|found| when true is 0).
    pub fn relative_error(&self) -> f64 {
        let e = self.error_reps().unsigned_abs() as f64;
        if self.truth == 0 {
            e
        } else {
            e / f64::from(self.truth)
        }
    }
}

/// The figures over a set of cases.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountSummary {
    /// The group's name ("all" for every case).
    pub group: String,
    pub cases: usize,
    /// Sum of the true counts.
    pub true_reps: u64,
    /// Sum of the counts found.
    pub found_reps: u64,
    /// Share of cases counted exactly, 0..1.
    pub exact: f64,
    /// Share of cases off by at most one, 0..1.
    pub obo: f64,
    /// Mean of |found − true| / true.
    pub mae: f64,
    /// Cases that could not be counted.
    pub failed: usize,
}

impl CountSummary {
    /// The figures over `cases` (all of them, whatever their group).
    pub fn of(group: &str, cases: &[&CountCase]) -> CountSummary {
        let n = cases.len();
        let share = |k: usize| if n == 0 { 0.0 } else { k as f64 / n as f64 };
        CountSummary {
            group: group.to_string(),
            cases: n,
            true_reps: cases.iter().map(|c| u64::from(c.truth)).sum(),
            found_reps: cases.iter().map(|c| u64::from(c.found_or_zero())).sum(),
            exact: share(cases.iter().filter(|c| c.error_reps() == 0).count()),
            obo: share(cases.iter().filter(|c| c.error_reps().abs() <= 1).count()),
            mae: if n == 0 {
                0.0
            } else {
                cases.iter().map(|c| c.relative_error()).sum::<f64>() / n as f64
            },
            failed: cases.iter().filter(|c| c.found.is_none()).count(),
        }
    }
}

/// The whole evaluation: every case, each group's figures (in name order)
/// and the figures over all cases.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountReport {
    pub cases: Vec<CountCase>,
    pub groups: Vec<CountSummary>,
    pub all: CountSummary,
}

impl CountReport {
    pub fn new(cases: Vec<CountCase>) -> CountReport {
        let mut by_group: BTreeMap<&str, Vec<&CountCase>> = BTreeMap::new();
        for c in &cases {
            by_group.entry(c.group.as_str()).or_default().push(c);
        }
        let groups = by_group
            .iter()
            .map(|(g, cs)| CountSummary::of(g, cs))
            .collect();
        let all = CountSummary::of("all", &cases.iter().collect::<Vec<_>>());
        CountReport { cases, groups, all }
    }

    /// A plain-text table: one line per case (found, true, error), then one
    /// per group and the total.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let w = self
            .cases
            .iter()
            .map(|c| c.source.chars().count())
            .max()
            .unwrap_or(6)
            .max(6);
        out += &format!(
            "{:<w$}  {:>5}  {:>5}  {:>5}\n",
            "source", "found", "true", "error"
        );
        for c in &self.cases {
            let found = c.found.map_or("-".to_string(), |f| f.to_string());
            let note = c
                .error
                .as_deref()
                .map_or(String::new(), |e| format!("  ({e})"));
            out += &format!(
                "{:<w$}  {found:>5}  {:>5}  {:>+5}{note}\n",
                c.source,
                c.truth,
                c.error_reps()
            );
        }
        out += "\n";
        let gw = self
            .groups
            .iter()
            .map(|g| g.group.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        out += &format!(
            "{:<gw$}  {:>5}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}\n",
            "group", "cases", "true", "found", "exact", "OBO", "MAE"
        );
        for s in self.groups.iter().chain(std::iter::once(&self.all)) {
            out += &format!(
                "{:<gw$}  {:>5}  {:>6}  {:>6}  {:>6.3}  {:>6.3}  {:>6.3}\n",
                s.group, s.cases, s.true_reps, s.found_reps, s.exact, s.obo, s.mae
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(group: &str, truth: u32, found: Option<u32>) -> CountCase {
        CountCase {
            source: format!("{group}/{truth}-{found:?}"),
            group: group.into(),
            truth,
            found,
            error: found.is_none().then(|| "unreadable".to_string()),
        }
    }

    #[test]
    fn exact_obo_and_mae_on_known_cases() {
        let r = CountReport::new(vec![
            case("a", 10, Some(10)),
            case("a", 10, Some(9)),
            case("a", 4, Some(6)),
            case("b", 1, Some(2)),
            case("b", 3, None),
        ]);
        assert_eq!(r.groups.len(), 2);
        let a = &r.groups[0];
        assert_eq!(
            (a.group.as_str(), a.cases, a.true_reps, a.found_reps),
            ("a", 3, 24, 25)
        );
        assert!((a.exact - 1.0 / 3.0).abs() < 1e-12);
        assert!((a.obo - 2.0 / 3.0).abs() < 1e-12);
        // (0 + 0.1 + 0.5) / 3
        assert!((a.mae - 0.2).abs() < 1e-12);
        let b = &r.groups[1];
        // 2 for 1 is off by one; the failed case counts as 0 of 3.
        assert_eq!((b.exact, b.obo, b.failed), (0.0, 0.5, 1));
        assert!((b.mae - (1.0 + 1.0) / 2.0).abs() < 1e-12);
        let all = &r.all;
        assert_eq!((all.cases, all.true_reps, all.found_reps), (5, 28, 27));
        assert!((all.exact - 0.2).abs() < 1e-12);
        assert!((all.obo - 0.6).abs() < 1e-12);
        assert!((all.mae - (0.6 + 2.0) / 5.0).abs() < 1e-12);
    }

    #[test]
    fn a_true_count_of_zero_adds_the_count_found() {
        assert_eq!(case("z", 0, Some(2)).relative_error(), 2.0);
        assert_eq!(case("z", 0, Some(0)).relative_error(), 0.0);
        assert_eq!(CountSummary::of("none", &[]).mae, 0.0);
    }

    #[test]
    fn the_table_lists_cases_groups_and_the_total() {
        let r = CountReport::new(vec![case("a", 10, Some(9)), case("b", 3, None)]);
        let t = r.table();
        assert!(t.contains("a/10-Some(9)"), "{t}");
        assert!(t.contains("(unreadable)"), "{t}");
        let last = t.lines().last().unwrap();
        assert!(last.starts_with("all "), "{t}");
        assert!(last.contains("0.500"), "{t}");
    }
}
