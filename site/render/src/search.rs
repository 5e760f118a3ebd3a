//! The site's search index, for `/search/` in the browser: no server, no library.
//!
//! Chinese has no spaces between words, so the index does not segment words at all: it
//! records which characters and which pairs of neighbouring characters (unigrams and
//! bigrams) occur in each *piece*, and the browser checks candidates by plain substring
//! search. A word inside a longer compound (日光温室 in 新建日光温室大棚) is therefore found
//! by construction, and so is a single character (蜂 in 养蜂 and 蜂箱).
//!
//! A piece is the searchable text of one region's documents (`search/p/CODE.json`): every
//! document's title, each clause of its full text (a record with its anchor), each rule
//! (item name, standard, the facts it reads). Pieces are written as the region's documents
//! are built, so indexing streams with the build; only the gram → pieces dictionary is kept
//! in memory (a few bytes per gram and piece), and written at the end into hashed buckets
//! (`search/g/N.json`) with the regions and the filters' values (`search/index.json`).
//! A query loads the index, the buckets of its grams, and then pieces in the order of their
//! codes until a page of results is found: a bounded load whatever the site's size.

use crate::pages::{DocumentSummary, RuleRow};
use crate::urls;
use calculator::model::Audience;
use policy::load::Document;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, PoisonError};

/// Where the index's files live in the site.
pub const INDEX_JSON: &str = "search/index.json";

/// The file of a region's piece.
pub fn piece_path(code: &str) -> String {
    format!("search/p/{code}.json")
}

/// The file of a dictionary bucket.
pub fn bucket_path(bucket: usize) -> String {
    format!("search/g/{bucket}.json")
}

/// About how many bytes of dictionary a bucket holds, before compression.
const BUCKET_BYTES: usize = 24 * 1024;

/// Text as it is indexed and searched: ASCII letters in lower case, full-width forms
/// (`２０１７`, `ＡＢ`) as ASCII, the ideographic space as a space. The browser's script
/// (`templates/static/search.js`) does exactly the same to a query.
pub fn normalize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether a character belongs to a word (letters, digits, CJK); anything else separates.
fn is_word(c: char) -> bool {
    // The common cases first: Unicode's tables are slow to search, and nearly every
    // character indexed is ASCII or one of the CJK Unified Ideographs (all letters).
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        ('\u{4E00}'..='\u{9FFF}').contains(&c) || c.is_alphanumeric()
    }
}

/// A gram as a number: a character, or two characters.
type Gram = u64;

/// A map from grams, hashed with [`GramHasher`].
type GramMap<V> = HashMap<Gram, V, BuildHasherDefault<GramHasher>>;
/// A set of grams, hashed with [`GramHasher`].
type GramSet = HashSet<Gram, BuildHasherDefault<GramHasher>>;

/// The hash of a gram, for [`GramMap`] and [`GramSet`]. A piece's text gives some 100,000
/// grams of a few thousand kinds, on every piece of a national build; SipHash, or sorting
/// them to drop repeats, was a few percent of the build's time, and grams come from the
/// site's own texts, so need no defence against chosen collisions. The gram is multiplied
/// by a large odd number into 128 bits and the two 64-bit halves of the product are XORed,
/// so that every bit of the gram reaches the low bits the table indexes by (a unigram's low
/// 32 bits are all zero). Made for keys that hash as one `u64`: each `write_u64` replaces
/// what came before.
#[derive(Debug, Default)]
struct GramHasher(u64);

impl Hasher for GramHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0 ^ u64::from(b));
        }
    }

    fn write_u64(&mut self, gram: u64) {
        let product = u128::from(gram) * 0x9E37_79B9_7F4A_7C15;
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn gram(a: char, b: Option<char>) -> Gram {
    (u64::from(a as u32) << 32) | b.map_or(0, |b| u64::from(b as u32))
}

fn gram_text(g: Gram) -> String {
    let a = char::from_u32((g >> 32) as u32);
    let b = char::from_u32((g & 0xFFFF_FFFF) as u32).filter(|&c| c != '\0');
    a.into_iter().chain(b).collect()
}

/// Every unigram and bigram of `text` (already normalized) into `out`.
fn grams_of(text: &str, out: &mut impl Extend<Gram>) {
    let mut previous: Option<char> = None;
    for c in text.chars() {
        if is_word(c) {
            out.extend([gram(c, None)]);
            if let Some(p) = previous {
                out.extend([gram(p, Some(c))]);
            }
            previous = Some(c);
        } else {
            previous = None;
        }
    }
}

/// The bucket of a gram: a 31-multiplier hash of its code points, as the script computes it.
pub fn bucket_of(text: &str, buckets: usize) -> usize {
    let mut h: u32 = 0;
    for c in text.chars() {
        h = h.wrapping_mul(31).wrapping_add(c as u32);
    }
    (h as usize) % buckets.max(1)
}

/// A document's facets, the values the filters choose among.
#[derive(Debug, Clone, Default)]
pub struct Facets {
    /// 县级, 市级, 省级, 国家.
    pub level: String,
    /// 有效, 已修订, 失效 …
    pub status: String,
    /// The year of its date (published, else written, else the start of its period).
    pub year: String,
    /// 文种 (实施意见, 实施方案 …).
    pub genre: String,
    /// Whom its measures are for: `household`, `enterprise`, `collective`.
    pub audiences: BTreeSet<&'static str>,
    /// The items its measures pay for: fact id → its label.
    pub items: BTreeMap<String, String>,
}

impl Facets {
    fn keys(&self) -> Vec<String> {
        let mut keys = vec![
            format!("level:{}", self.level),
            format!("status:{}", self.status),
            format!("year:{}", self.year),
            format!("genre:{}", self.genre),
        ];
        keys.extend(self.audiences.iter().map(|a| format!("audience:{a}")));
        keys.extend(self.items.keys().map(|i| format!("item:{i}")));
        keys
    }
}

/// The audience's id in the index.
pub fn audience_id(audience: Audience) -> &'static str {
    match audience {
        Audience::Household => "household",
        Audience::Enterprise => "enterprise",
        Audience::Collective => "collective",
    }
}

/// One document, as a piece holds it.
#[derive(Debug)]
pub struct PieceDocument<'a> {
    /// What its page shows of it.
    pub summary: &'a DocumentSummary,
    /// The document itself: its text and clauses.
    pub document: &'a Document,
    /// Its rules as rows, when it has any.
    pub rows: Option<&'a [RuleRow]>,
    /// Its filters' values.
    pub facets: Facets,
    /// For each rule id, the labels of the facts it reads (蜂箱 for 养蜂), searched with it.
    pub fact_labels: HashMap<String, String>,
}

/// A document of a piece: `[url, title, region, level, status, date, year, genre,
/// audiences, items]`.
type DocRow<'a> = (
    String,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    String,
    &'a str,
    &'a str,
    Vec<&'static str>,
    Vec<&'a str>,
);

#[derive(Debug, Serialize)]
struct PieceJson<'a> {
    /// Documents: `[url, title, region, level, status, date, year, genre, audiences, items]`.
    d: Vec<DocRow<'a>>,
    /// Records: `[document, kind (0 title, 1 rule, 2 clause), address, heading, text]`.
    r: Vec<(usize, u8, String, String, String)>,
}

/// The records of a piece: what each result can show, and the text searched.
fn piece_json<'a>(documents: &'a [PieceDocument<'a>]) -> PieceJson<'a> {
    let mut piece = PieceJson {
        d: Vec::new(),
        r: Vec::new(),
    };
    for (i, doc) in documents.iter().enumerate() {
        let s = doc.summary;
        let date = s
            .published
            .clone()
            .or_else(|| s.written.clone())
            .unwrap_or_else(|| s.sort_date.clone());
        piece.d.push((
            urls::policy(&s.id),
            &s.title,
            &s.county_name,
            &s.level,
            &s.status,
            date,
            &doc.facets.year,
            &doc.facets.genre,
            doc.facets.audiences.iter().copied().collect(),
            doc.facets.items.keys().map(String::as_str).collect(),
        ));
        let source = &doc.document.source;
        let text = &doc.document.text;
        let mut clauses: Vec<&policy::clauses::Clause> = doc.document.clauses.iter().collect();
        clauses.sort_by_key(|c| c.offset);
        // The title, the issuer and number, and the text before the first clause.
        let preamble_end = clauses.first().map_or(text.len(), |c| c.offset);
        let meta = &source.metadata;
        let mut head = String::new();
        for part in [meta.issuer.as_deref(), meta.document_number.as_deref()]
            .into_iter()
            .flatten()
        {
            head.push_str(part);
            head.push(' ');
        }
        head.push_str(&plain(text.get(..preamble_end).unwrap_or_default()));
        piece
            .r
            .push((i, 0, String::new(), String::new(), clip(head.trim(), 600)));
        for row in doc.rows.unwrap_or_default() {
            // The item's own name first (蜂箱 for 养蜂), then its standard and limits.
            let mut words = row.label.clone();
            if let Some(labels) = doc
                .fact_labels
                .get(&row.id)
                .filter(|l| !l.is_empty() && **l != row.label)
            {
                words.push_str(&format!("（{labels}）"));
            }
            words.push(' ');
            words.push_str(&row.standard);
            for limit in &row.limits {
                words.push(' ');
                words.push_str(limit);
            }
            piece
                .r
                .push((i, 1, row.clause_url.clone(), row.label.clone(), words));
        }
        for (n, clause) in clauses.iter().enumerate() {
            let end = clauses.get(n + 1).map_or(text.len(), |c| c.offset);
            let body = plain(text.get(clause.offset..end).unwrap_or_default());
            if body.trim().is_empty() {
                continue;
            }
            piece.r.push((
                i,
                2,
                urls::clause(&source.id, &clause.id),
                clause.heading(),
                body,
            ));
        }
    }
    piece
}

/// At most `most` characters of `text`.
fn clip(text: &str, most: usize) -> String {
    text.chars().take(most).collect()
}

/// Markdown as the words a reader sees: no `{#anchor}` attributes, heading marks, emphasis
/// or list marks; runs of white space as one space.
fn plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(start) = rest.find("{#") {
        out.push_str(&rest[..start]);
        rest = match rest[start..].find('}') {
            Some(end) => &rest[start + end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    let mut text = String::with_capacity(out.len());
    for line in out.lines() {
        let line = line
            .trim()
            .trim_start_matches(['#', '>', '-', '*', '|', ' '])
            .replace("**", "")
            .replace('|', " ");
        if !line.is_empty() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(line.trim());
        }
    }
    text
}

/// The pieces written so far and which grams each holds.
#[derive(Debug, Default)]
struct Inner {
    /// Code, level rank and the facets' keys of each piece, by the order they came in.
    pieces: Vec<(String, BTreeSet<String>)>,
    /// Each gram's pieces, by that order.
    grams: GramMap<Vec<u32>>,
    /// The words of the items' facet keys (`item:bee_boxes` → 蜂箱).
    labels: BTreeMap<String, String>,
}

/// The index as the build makes it, piece by piece on every thread.
#[derive(Debug, Default)]
pub struct SearchIndex {
    inner: Mutex<Inner>,
}

/// A region for the filters and for finding regions by name: `[code, name, level, parent]`
/// (the parent's position in the list, or -1).
pub type RegionRow = (String, String, u8, i64);

/// The files of the index: path and bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// A facet value the filters offer: `[key, label]`.
#[derive(Debug, Serialize)]
struct Choice {
    key: String,
    label: String,
}

impl SearchIndex {
    /// A new, empty index.
    pub fn new() -> SearchIndex {
        SearchIndex::default()
    }

    /// The piece of the region `code`: its documents. Returns the piece's file.
    pub fn piece(&self, code: &str, documents: &[PieceDocument<'_>]) -> (String, Vec<u8>) {
        let json = piece_json(documents);
        let mut grams = GramSet::default();
        let mut keys = BTreeSet::new();
        for doc in &json.d {
            grams_of(&normalize(doc.1), &mut grams);
        }
        for record in &json.r {
            grams_of(&normalize(&record.4), &mut grams);
            grams_of(&normalize(&record.3), &mut grams);
        }
        let mut labels = Vec::new();
        for doc in documents {
            keys.extend(doc.facets.keys());
            labels.extend(
                doc.facets
                    .items
                    .iter()
                    .map(|(id, label)| (format!("item:{id}"), label.clone())),
            );
        }
        let bytes = serde_json::to_vec(&json).unwrap_or_default();
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let id = u32::try_from(inner.pieces.len()).unwrap_or(u32::MAX);
        inner.pieces.push((code.to_owned(), keys));
        inner.labels.extend(labels);
        for g in grams {
            inner.grams.entry(g).or_default().push(id);
        }
        (piece_path(code), bytes)
    }

    /// The dictionary's buckets and `search/index.json`: the pieces in the order of their
    /// codes, each with its facets as a bit set (hex) over `facets`; the regions; the
    /// filters' choices with their labels (`labels`: a facet key → its words, besides the
    /// items', which the pieces brought).
    pub fn finish(self, regions: &[RegionRow], labels: &BTreeMap<String, String>) -> Files {
        let mut inner = self
            .inner
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let mut labels = labels.clone();
        labels.append(&mut inner.labels);
        let mut order: Vec<usize> = (0..inner.pieces.len()).collect();
        order.sort_by(|&a, &b| inner.pieces[a].0.cmp(&inner.pieces[b].0));
        let mut place = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            place[old] = u32::try_from(new).unwrap_or(u32::MAX);
        }
        // Every facet value any piece has, in a stable order: the bit of each.
        let all_keys: BTreeSet<&String> = inner.pieces.iter().flat_map(|p| p.1.iter()).collect();
        let bit: HashMap<&String, usize> =
            all_keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        let pieces: Vec<(String, String)> = order
            .iter()
            .map(|&old| {
                let (code, keys) = &inner.pieces[old];
                let mut bits = vec![0u8; all_keys.len().div_ceil(4)];
                for key in keys {
                    if let Some(&b) = bit.get(key) {
                        bits[b / 4] |= 1 << (b % 4);
                    }
                }
                let hex: String = bits
                    .iter()
                    .map(|&n| char::from_digit(u32::from(n), 16).unwrap_or('0'))
                    .collect();
                (code.clone(), hex)
            })
            .collect();

        // The dictionary: each gram's pieces as differences from the one before.
        let mut grams: Vec<(String, Vec<u32>)> = inner
            .grams
            .into_iter()
            .map(|(g, ids)| {
                let mut ids: Vec<u32> = ids.into_iter().map(|id| place[id as usize]).collect();
                ids.sort_unstable();
                let mut last = 0;
                let deltas = ids
                    .into_iter()
                    .map(|id| {
                        let d = id - last;
                        last = id;
                        d
                    })
                    .collect();
                (gram_text(g), deltas)
            })
            .collect();
        grams.sort();
        let size: usize = grams.iter().map(|(_, d)| 8 + d.len() * 3).sum();
        let buckets = size.div_ceil(BUCKET_BYTES).max(1);
        let mut filled: Vec<BTreeMap<&str, &[u32]>> = vec![BTreeMap::new(); buckets];
        for (text, deltas) in &grams {
            filled[bucket_of(text, buckets)].insert(text, deltas);
        }
        let mut files: Files = filled
            .iter()
            .enumerate()
            .map(|(n, bucket)| {
                (
                    bucket_path(n),
                    serde_json::to_vec(bucket).unwrap_or_default(),
                )
            })
            .collect();

        let choices: Vec<Choice> = all_keys
            .iter()
            .map(|k| Choice {
                key: (*k).clone(),
                label: labels.get(k.as_str()).cloned().unwrap_or_else(|| {
                    k.split_once(':')
                        .map_or((*k).clone(), |(_, v)| v.to_owned())
                }),
            })
            .collect();
        let index = serde_json::json!({
            "version": 1,
            "buckets": buckets,
            "facets": choices,
            "pieces": pieces,
            "regions": regions,
        });
        files.push((
            INDEX_JSON.to_owned(),
            serde_json::to_vec(&index).unwrap_or_default(),
        ));
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_character_is_what_unicode_calls_alphanumeric() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(is_word(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    fn grams(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        grams_of(&normalize(text), &mut out);
        out.into_iter().map(gram_text).collect()
    }

    #[test]
    fn a_word_inside_a_compound_has_all_its_grams_there() {
        let compound = grams("新建日光温室大棚");
        for g in grams("日光温室") {
            assert!(compound.contains(&g), "{g}");
        }
        assert!(grams("养蜂、蜂箱").contains(&"蜂".to_owned()));
        // Punctuation separates: no gram spans 、.
        assert!(!grams("养蜂、蜂箱").contains(&"蜂蜂".to_owned()));
    }

    #[test]
    fn a_gram_set_holds_each_gram_once_and_its_hashes_spread_over_the_table() {
        let text = normalize("养猪300元/头，养牛3000元/头；养猪、养牛、养羊，每户不超过3000元");
        let mut every = Vec::new();
        grams_of(&text, &mut every);
        let mut set = GramSet::default();
        grams_of(&text, &mut set);
        let mut distinct: Vec<Gram> = set.into_iter().collect();
        distinct.sort_unstable();
        every.sort_unstable();
        every.dedup();
        assert_eq!(distinct, every);

        // A unigram's low 32 bits are zero; its hash must still vary in the low bits a small
        // table indexes by, and in the top 7 bits hashbrown compares first.
        let hash = |g: Gram| {
            let mut h = GramHasher::default();
            h.write_u64(g);
            h.finish()
        };
        let unigrams: Vec<Gram> = ('\u{4E00}'..='\u{4FFF}').map(|c| gram(c, None)).collect();
        let low: HashSet<u64> = unigrams.iter().map(|&g| hash(g) & 0xFF).collect();
        let top: HashSet<u64> = unigrams.iter().map(|&g| hash(g) >> 57).collect();
        assert!(low.len() > 200, "{} of 256 low bytes", low.len());
        assert!(top.len() > 100, "{} of 128 top 7 bits", top.len());
    }

    #[test]
    fn full_width_and_case_are_folded_as_the_script_folds_them() {
        assert_eq!(normalize("２０１７年ＡＢ　c"), "2017年ab c");
    }

    #[test]
    fn the_bucket_hash_is_the_scripts() {
        // search.js: h = (h * 31 + code point) >>> 0; h % buckets.
        let mut h: u64 = 0;
        for c in "温室".chars() {
            h = (h * 31 + u64::from(c as u32)) % (1 << 32);
        }
        assert_eq!(bucket_of("温室", 97), (h % 97) as usize);
    }

    #[test]
    fn markdown_becomes_plain_words() {
        assert_eq!(
            plain("### 6. 产业优惠政策 {#c4-3-6}\n\n**新建**日光温室大棚\n- 每亩2万元"),
            "6. 产业优惠政策 新建日光温室大棚 每亩2万元"
        );
    }

    #[test]
    fn pieces_are_numbered_in_the_order_of_their_codes() {
        let index = SearchIndex::new();
        {
            let mut inner = index.inner.lock().unwrap();
            inner
                .pieces
                .push(("610000".into(), BTreeSet::from(["level:省级".to_owned()])));
            inner
                .pieces
                .push(("140431".into(), BTreeSet::from(["level:县级".to_owned()])));
            inner.grams.insert(gram('蜂', None), vec![0, 1]);
            inner.grams.insert(gram('猪', None), vec![0]);
        }
        let files = index.finish(&[], &BTreeMap::new());
        let (_, meta) = files.iter().find(|(p, _)| p == INDEX_JSON).unwrap();
        let meta: serde_json::Value = serde_json::from_slice(meta).unwrap();
        assert_eq!(meta["pieces"][0][0], "140431");
        // 猪 is in 610000's piece, now second: delta 1.
        let buckets = meta["buckets"].as_u64().unwrap() as usize;
        let (_, bucket) = files
            .iter()
            .find(|(p, _)| *p == bucket_path(bucket_of("猪", buckets)))
            .unwrap();
        let bucket: serde_json::Value = serde_json::from_slice(bucket).unwrap();
        assert_eq!(bucket["猪"], serde_json::json!([1]));
        assert!(bucket_of("蜂", buckets) < buckets);
        // Facet bits: 县级 and 省级 are two bits; each piece has one.
        assert_eq!(meta["facets"].as_array().unwrap().len(), 2);
        assert_ne!(meta["pieces"][0][1], meta["pieces"][1][1]);
    }
}
