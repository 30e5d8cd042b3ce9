use super::*;
use proptest::prelude::*;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn range_defaults_to_the_last_30_days() {
    let r = DateRange::parse("", "", date("2026-11-24")).unwrap();
    assert_eq!((r.from(), r.to()), (date("2026-10-26"), date("2026-11-24")));
    assert_eq!(r.days(), 30);
    assert_eq!(r.each_day().count(), 30);
    assert_eq!(r.as_keys(), ("2026-10-26".into(), "2026-11-24".into()));
    let only_to = DateRange::parse("", "2026-02-28", date("2026-11-24")).unwrap();
    assert_eq!(only_to.from(), date("2026-01-30"));
    // A date is exactly YYYY-MM-DD (as the API documents it): blanks are not "no date".
    let blank = DateRange::parse(" ", "2026-02-28", date("2026-11-24")).unwrap_err();
    assert_eq!(blank.field, "from");
}

#[test]
fn range_errors_name_the_field() {
    let today = date("2026-11-24");
    let field = |from: &str, to: &str| DateRange::parse(from, to, today).unwrap_err().field;
    assert_eq!(field("24/11/2026", ""), "from");
    assert_eq!(field("2026-02-30", "2026-03-01"), "from");
    assert_eq!(field("2026-11-01", "tomorrow"), "to");
    assert_eq!(field("2026-11-02", "2026-11-01"), "to");
    assert_eq!(field("2025-11-23", "2026-11-24"), "from");
    assert_eq!(field("0001-01-01", "2026-01-02"), "from");
    assert_eq!(field("2026-01-01", "0001-01-02"), "to");
    // 366 days (a leap year's worth) is the most.
    let longest = DateRange::parse("2028-01-01", "2028-12-31", today).unwrap();
    assert_eq!(longest.days(), 366);
    let single = DateRange::parse("2026-11-24", "2026-11-24", today).unwrap();
    assert_eq!(single.days(), 1);
}

#[test]
fn charts_group_long_ranges_by_week() {
    let today = date("2026-11-24");
    let month = DateRange::parse("2026-11-01", "2026-11-30", today).unwrap();
    assert_eq!(month.period(), Period::Day);
    let quarter = DateRange::parse("2026-09-01", "2026-11-30", today).unwrap();
    assert_eq!(quarter.period(), Period::Week);
    // 2026-11-26 is a Thursday: its week starts on Monday the 23rd, but never before
    // the range starts.
    assert_eq!(
        Period::Week.start_of(date("2026-11-26"), &quarter),
        date("2026-11-23")
    );
    assert_eq!(
        Period::Week.start_of(date("2026-09-02"), &quarter),
        date("2026-09-01")
    );
    assert_eq!(
        Period::Day.start_of(date("2026-11-26"), &month),
        date("2026-11-26")
    );
}

#[test]
fn nearest_rank_percentiles() {
    let v = [15, 20, 35, 40, 50];
    // The textbook example: p30 → rank 2, p40 → rank 2, p50 → rank 3, p100 → rank 5.
    assert_eq!(percentile(&v, 30), Some(20));
    assert_eq!(percentile(&v, 40), Some(20));
    assert_eq!(percentile(&v, 50), Some(35));
    assert_eq!(percentile(&v, 90), Some(50));
    assert_eq!(percentile(&v, 100), Some(50));
    assert_eq!(percentile(&[7], 90), Some(7));
    assert_eq!(percentile(&[], 50), None);
    assert_eq!(percentile_of_unsorted(&mut [], 50), None);
    assert_eq!(
        percentile_of_unsorted(&mut [50, 15, 40, 20, 35], 50),
        Some(35)
    );
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(percentile(&ten, 50), Some(5));
    assert_eq!(percentile(&ten, 90), Some(9));
    assert_eq!(nearest_rank(0, 10), 1, "p is clamped to at least 1");
}

#[test]
fn attainment_excludes_pending_and_needs_decided_tickets() {
    assert_eq!(
        attainment_pct(2, 1).map(|p| format!("{p:.1}")),
        Some("66.7".into())
    );
    assert_eq!(attainment_pct(0, 0), None);
    assert_eq!(fmt_pct(attainment_pct(3, 0)), "100.0");
    assert_eq!(fmt_pct(None), "—");
    assert_eq!(fmt_pct(ratio_pct(1, 8)), "12.5");
}

#[test]
fn hours_have_two_decimals() {
    assert_eq!(fmt_hours(Some(5400)), "1.50");
    assert_eq!(fmt_hours(Some(60)), "0.02");
    assert_eq!(fmt_hours(Some(1200)), "0.33");
    assert_eq!(fmt_hours(Some(0)), "0.00");
    assert_eq!(fmt_hours(None), "—");
}

#[test]
fn bands_cover_every_age() {
    assert_eq!(band_of(&AGE_BANDS, -5), 0);
    assert_eq!(band_of(&AGE_BANDS, 0), 0);
    assert_eq!(band_of(&AGE_BANDS, 8 * 3600 - 1), 0);
    assert_eq!(band_of(&AGE_BANDS, 8 * 3600), 1);
    assert_eq!(band_of(&AGE_BANDS, 3 * 86400), 3);
    assert_eq!(band_of(&AGE_BANDS, 365 * 86400), 5);
    assert_eq!(band_of(&RESPONSE_BUCKETS, 8 * 3600), 4);
    assert_eq!(band_of(&RESPONSE_BUCKETS, 3599), 0);
}

#[test]
fn csv_quotes_only_what_needs_it() {
    assert_eq!(csv_field("/v1/orders/{id}"), "/v1/orders/{id}");
    assert_eq!(csv_field("/v1/search/a,b"), "\"/v1/search/a,b\"");
    assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    assert_eq!(csv_field(" padded"), "\" padded\"");
    assert_eq!(csv_field(""), "");
    let doc = csv_document(
        &["Endpoint", "Reports"],
        &[
            vec!["/a,b".into(), "3".into()],
            vec!["/it's \"x\"".into(), "1".into()],
        ],
    );
    assert_eq!(
        doc,
        "Endpoint,Reports\r\n\"/a,b\",3\r\n\"/it's \"\"x\"\"\",1\r\n"
    );
}

/// A strict RFC 4180 reader, to check that what we write reads back unchanged.
fn read_csv(doc: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = doc.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "records end in CRLF");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "document ends with CRLF"
    );
    rows
}

proptest! {
    #[test]
    fn csv_round_trips(rows in proptest::collection::vec(
        proptest::collection::vec("[ -~\n\r,\"é]{0,12}", 3), 0..6)
    ) {
        let header = ["a", "b,c", "d\"e"];
        let doc = csv_document(&header, &rows);
        let back = read_csv(&doc);
        prop_assert_eq!(&back[0], &header.map(String::from).to_vec());
        prop_assert_eq!(&back[1..], &rows[..]);
    }

    #[test]
    fn nearest_rank_is_the_smallest_rank_covering_p_percent(
        mut values in proptest::collection::vec(-1_000_000i64..1_000_000, 1..300),
        p in 1u32..=100,
    ) {
        values.sort_unstable();
        let n = values.len() as u64;
        let k = nearest_rank(p, n);
        prop_assert!((1..=n).contains(&k));
        // k covers at least p % of the values, k − 1 does not.
        prop_assert!(k * 100 >= u64::from(p) * n);
        prop_assert!((k - 1) * 100 < u64::from(p) * n);
        let mut shuffled = values.clone();
        shuffled.reverse();
        shuffled.rotate_left(values.len() / 3);
        prop_assert_eq!(percentile_of_unsorted(&mut shuffled, p), percentile(&values, p));
        let v = percentile(&values, p).unwrap();
        prop_assert!(values.contains(&v));
        let at_most = values.iter().filter(|x| **x <= v).count() as u64;
        prop_assert!(at_most * 100 >= u64::from(p) * n);
        if p < 100 {
            prop_assert!(percentile(&values, p).unwrap() <= percentile(&values, p + 1).unwrap());
        }
    }

    #[test]
    fn every_range_within_bounds_is_accepted(start in 0i64..20_000, len in 1i64..=400) {
        let from = date("1990-01-01") + Days::new(start as u64);
        let to = from + Days::new(len as u64 - 1);
        let parsed = DateRange::parse(&day_key(from), &day_key(to), date("2026-11-24"));
        if len <= MAX_RANGE_DAYS {
            let r = parsed.unwrap();
            prop_assert_eq!(r.days(), len);
            prop_assert_eq!(r.each_day().last(), Some(to));
            let (a, b) = r.as_keys();
            prop_assert!(a <= b, "keys compare like dates");
        } else {
            prop_assert_eq!(parsed.unwrap_err().field, "from");
        }
    }

    #[test]
    fn bands_are_monotone(a in -10_000_000i64..10_000_000, b in -10_000_000i64..10_000_000) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(band_of(&AGE_BANDS, lo) <= band_of(&AGE_BANDS, hi));
        prop_assert!(band_of(&RESPONSE_BUCKETS, lo) <= band_of(&RESPONSE_BUCKETS, hi));
    }
}
