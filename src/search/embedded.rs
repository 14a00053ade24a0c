//! The embedded engine: a tantivy index in the data directory, following
//! the same settings as Meilisearch. Tantivy matches words (with typos and
//! synonyms) and filters; facet counts and ordering are worked out over the
//! matches from the documents kept in memory beside the index.

use crate::domain::ids::ListingId;
use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use async_trait::async_trait;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer};
use tantivy::{
    DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, TantivyDocument,
    Term,
};

use super::{
    distance_km, EngineQuery, EngineResults, IndexChanges, ListingDocument, SearchBackend,
    SearchError, FACETS,
};
use crate::domain::search::{word_groups, SearchSettings, Sort};
use crate::domain::vocab::Vocabulary;

const TOKENIZER: &str = "bespoke";
/// The text attributes, in the order of `searchableAttributes`.
const TEXT_FIELDS: [&str; 6] = [
    "title",
    "category_label",
    "tags",
    "provider_name",
    "language_names",
    "description",
];
const FILTER_FIELDS: [&str; 7] = [
    "category",
    "areas",
    "availability",
    "languages",
    "kind",
    "employment",
    "accepting_clients",
];
const WRITER_MEMORY_BYTES: usize = 50_000_000;

fn failed(e: impl std::fmt::Display) -> SearchError {
    SearchError::Index(e.to_string())
}

struct Fields {
    id: Field,
    price: Field,
    doc: Field,
    /// Every searchable attribute together: typo matching runs once here rather than per attribute.
    all_text: Field,
    text: Vec<(Field, f32)>,
    filters: HashMap<&'static str, Field>,
}

struct Inner {
    reader: IndexReader,
    /// None when opened read-only (commands running beside the server never take the writer lock).
    writer: Option<Mutex<IndexWriter>>,
    fields: Fields,
    settings: SearchSettings,
    docs: RwLock<Kept>,
    /// The index is new or empty: whatever the database holds has to be indexed again.
    fresh: bool,
}

/// The indexed listings in memory, for facet counts and ordering over every match.
#[derive(Default)]
struct Kept {
    docs: FxHashMap<ListingId, KeptDocument>,
    /// Each facet's values, numbered as first seen, so counting needs no string hashing.
    facet_values: [FacetValues; FACETS.len()],
}

struct KeptDocument {
    doc: ListingDocument,
    /// Per facet, the numbers of this listing's values.
    facet_codes: [Vec<u16>; FACETS.len()],
}

#[derive(Default)]
struct FacetValues {
    names: Vec<String>,
    numbers: FxHashMap<String, u16>,
}

impl FacetValues {
    fn number(&mut self, value: &str) -> u16 {
        if let Some(number) = self.numbers.get(value) {
            return *number;
        }
        let number = u16::try_from(self.names.len()).expect("fewer than 65,536 facet values");
        self.names.push(value.to_owned());
        self.numbers.insert(value.to_owned(), number);
        number
    }
}

impl Kept {
    fn insert(&mut self, doc: ListingDocument) {
        let values: [Vec<&str>; FACETS.len()] = [
            vec![doc.category.as_str()],
            doc.availability.iter().map(String::as_str).collect(),
            doc.languages.iter().map(String::as_str).collect(),
        ];
        let facet_codes = std::array::from_fn(|facet| {
            values[facet]
                .iter()
                .map(|value| self.facet_values[facet].number(value))
                .collect()
        });
        self.docs.insert(doc.id, KeptDocument { doc, facet_codes });
    }
}

#[derive(Clone)]
pub struct EmbeddedEngine {
    inner: Arc<Inner>,
}

fn schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_i64_field("id", INDEXED | STORED | FAST);
    builder.add_i64_field("price_pence", INDEXED | FAST);
    builder.add_text_field("doc", STORED);
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    for name in TEXT_FIELDS {
        builder.add_text_field(name, text.clone());
    }
    builder.add_text_field("all_text", text.clone());
    for name in FILTER_FIELDS {
        builder.add_text_field(name, STRING);
    }
    builder.build()
}

impl EmbeddedEngine {
    /// Opens (or creates) the index in `dir`. With `writable` it takes the
    /// writer lock, which only one process may hold.
    pub fn open(dir: &Path, settings: SearchSettings, writable: bool) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(failed)?;
        let existed = dir.join("meta.json").exists();
        let index = match Index::open_or_create(MmapDirectory::open(dir).map_err(failed)?, schema())
        {
            Ok(index) => index,
            // An index from an older version of Bespoke: start afresh and let the caller rebuild it.
            Err(tantivy::TantivyError::SchemaError(_)) if writable => {
                tracing::warn!(dir = %dir.display(), "the search index was made by an older version; rebuilding it");
                std::fs::remove_dir_all(dir).map_err(failed)?;
                std::fs::create_dir_all(dir).map_err(failed)?;
                Index::create_in_dir(dir, schema()).map_err(failed)?
            }
            Err(e) => return Err(failed(e)),
        };
        let fresh = !existed
            || !dir.join("meta.json").exists()
            || index.searchable_segment_ids().map_err(failed)?.is_empty();
        index.tokenizers().register(
            TOKENIZER,
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        );
        let schema = index.schema();
        let field = |name: &str| schema.get_field(name).map_err(failed);
        let fields = Fields {
            id: field("id")?,
            price: field("price_pence")?,
            doc: field("doc")?,
            all_text: field("all_text")?,
            text: TEXT_FIELDS
                .iter()
                .map(|name| Ok((field(name)?, settings.weight(name))))
                .collect::<Result<_, SearchError>>()?,
            filters: FILTER_FIELDS
                .iter()
                .map(|name| Ok((*name, field(name)?)))
                .collect::<Result<_, SearchError>>()?,
        };
        let writer = if writable {
            Some(Mutex::new(
                index.writer(WRITER_MEMORY_BYTES).map_err(failed)?,
            ))
        } else {
            None
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(failed)?;
        let engine = Self {
            inner: Arc::new(Inner {
                reader,
                writer,
                fields,
                settings,
                docs: RwLock::new(Kept::default()),
                fresh,
            }),
        };
        engine.load_documents()?;
        Ok(engine)
    }

    /// Reads every stored document back into memory (on opening an existing index).
    fn load_documents(&self) -> Result<(), SearchError> {
        let searcher = self.inner.reader.searcher();
        let mut kept = Kept::default();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(64).map_err(failed)?;
            let alive = segment.alive_bitset();
            for doc_id in 0..segment.max_doc() {
                if alive.is_some_and(|bits| !bits.is_alive(doc_id)) {
                    continue;
                }
                let stored: TantivyDocument = store.get(doc_id).map_err(failed)?;
                if let Some(json) = stored
                    .get_first(self.inner.fields.doc)
                    .and_then(|v| v.as_str())
                {
                    let doc: ListingDocument = serde_json::from_str(json).map_err(failed)?;
                    kept.insert(doc);
                }
            }
        }
        *self.inner.docs.write().expect("not poisoned") = kept;
        Ok(())
    }

    /// Whether the index started out empty (new, deleted, or from an older version).
    pub fn is_fresh(&self) -> bool {
        self.inner.fresh
    }

    pub fn document_count(&self) -> usize {
        self.inner.docs.read().expect("not poisoned").docs.len()
    }

    /// Merges the index into one segment: each search pays per segment for
    /// its typo automata and term lookups.
    fn compact_blocking(&self) -> Result<(), SearchError> {
        let Some(writer) = &self.inner.writer else {
            return Ok(());
        };
        // Tantivy may still be merging some segments in the background; a merge
        // naming one of those is refused, so wait for them and try again.
        let mut attempts = 0;
        loop {
            let merged = {
                let mut writer = writer.lock().expect("not poisoned");
                let segments = writer.index().searchable_segment_ids().map_err(failed)?;
                if segments.len() <= 1 {
                    return Ok(());
                }
                writer.merge(&segments).wait()
            };
            match merged {
                Ok(_) => return self.inner.reader.reload().map_err(failed),
                Err(e) if attempts >= 40 => return Err(failed(e)),
                Err(_) => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(250));
                }
            }
        }
    }

    pub fn apply_blocking(&self, changes: IndexChanges) -> Result<(), SearchError> {
        let inner = &self.inner;
        let writer = inner
            .writer
            .as_ref()
            .ok_or_else(|| SearchError::Index("this process opened the index read-only".into()))?;
        let mut writer = writer.lock().expect("not poisoned");
        let f = &inner.fields;
        if changes.clear {
            writer.delete_all_documents().map_err(failed)?;
        }
        for id in changes
            .deletes
            .iter()
            .chain(changes.upserts.iter().map(|d| &d.id))
        {
            writer.delete_term(Term::from_field_i64(f.id, id.get()));
        }
        for doc in &changes.upserts {
            let mut indexed = TantivyDocument::new();
            indexed.add_i64(f.id, doc.id.get());
            indexed.add_i64(f.price, doc.price_pence);
            indexed.add_text(f.doc, serde_json::to_string(doc).map_err(failed)?);
            let texts: [Vec<&str>; 6] = [
                vec![doc.title.as_str()],
                vec![doc.category_label.as_str()],
                doc.tags.iter().map(String::as_str).collect(),
                vec![doc.provider_name.as_str()],
                doc.language_names.iter().map(String::as_str).collect(),
                vec![doc.description.as_str()],
            ];
            for ((field, _), values) in f.text.iter().zip(texts) {
                for value in values {
                    indexed.add_text(*field, value);
                    indexed.add_text(f.all_text, value);
                }
            }
            let filter = |name: &str| f.filters[name];
            indexed.add_text(filter("category"), &doc.category);
            indexed.add_text(filter("kind"), &doc.kind);
            indexed.add_text(
                filter("accepting_clients"),
                if doc.accepting_clients {
                    "true"
                } else {
                    "false"
                },
            );
            if let Some(employment) = &doc.employment {
                indexed.add_text(filter("employment"), employment);
            }
            for (name, values) in [
                ("areas", &doc.areas),
                ("availability", &doc.availability),
                ("languages", &doc.languages),
            ] {
                for value in values {
                    indexed.add_text(filter(name), value);
                }
            }
            writer.add_document(indexed).map_err(failed)?;
        }
        writer.commit().map_err(failed)?;
        inner.reader.reload().map_err(failed)?;

        let mut kept = inner.docs.write().expect("not poisoned");
        if changes.clear {
            *kept = Kept::default();
        }
        for id in &changes.deletes {
            kept.docs.remove(id);
        }
        for doc in changes.upserts {
            kept.insert(doc);
        }
        Ok(())
    }

    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let settings = &self.inner.settings;
        let groups = word_groups(text, settings);
        if groups.is_empty() {
            return None;
        }
        // Every group must match; within a group, its own words or one of its synonyms.
        let clauses: Vec<(Occur, Box<dyn Query>)> = groups
            .iter()
            .map(|group| {
                // Typos are allowed in what was typed; synonyms match exactly, as in Meilisearch.
                let options: Vec<(Occur, Box<dyn Query>)> =
                    std::iter::once((Occur::Should, self.all_words(&group.words, true)))
                        .chain(
                            group
                                .alternatives
                                .iter()
                                .map(|words| (Occur::Should, self.all_words(words, false))),
                        )
                        .collect();
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(options)) as Box<dyn Query>,
                )
            })
            .collect();
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// Each word must appear in some searchable attribute, exactly or (when allowed) within its typo allowance.
    fn all_words(&self, words: &[String], typos_allowed: bool) -> Box<dyn Query> {
        let settings = &self.inner.settings;
        let clauses = words
            .iter()
            .map(|word| {
                let typos = if typos_allowed {
                    settings.typos_allowed(word)
                } else {
                    0
                };
                let fields = &self.inner.fields;
                // An exact match scores by the attribute it is in; a match with typos
                // (looked for once, across all attributes) scores below any exact one.
                let mut options: Vec<(Occur, Box<dyn Query>)> = fields
                    .text
                    .iter()
                    .map(|(field, weight)| {
                        let exact = TermQuery::new(
                            Term::from_field_text(*field, word),
                            IndexRecordOption::WithFreqs,
                        );
                        (
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(exact), weight * 2.0))
                                as Box<dyn Query>,
                        )
                    })
                    .collect();
                if typos > 0 {
                    let fuzzy = FuzzyTermQuery::new(
                        Term::from_field_text(fields.all_text, word),
                        typos,
                        true,
                    );
                    options.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(fuzzy), 1.0)),
                    ));
                }
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(options)) as Box<dyn Query>,
                )
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    fn filter_query(&self, query: &EngineQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let request = query.request;
        let f = &self.inner.fields;
        let term = |name: &str, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f.filters[name], value),
                IndexRecordOption::Basic,
            ))
        };
        let any_of = |name: &str, values: Vec<&str>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                values
                    .into_iter()
                    .map(|v| (Occur::Should, term(name, v)))
                    .collect(),
            ))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(category) = request.category {
            clauses.push((Occur::Must, term("category", category.code())));
        }
        if let Some(area) = &request.area {
            clauses.push((Occur::Must, term("areas", area)));
        }
        if !request.availability.is_empty() {
            clauses.push((
                Occur::Must,
                any_of(
                    "availability",
                    request.availability.iter().map(|b| b.code()).collect(),
                ),
            ));
        }
        if !request.languages.is_empty() {
            clauses.push((
                Occur::Must,
                any_of(
                    "languages",
                    request.languages.iter().map(String::as_str).collect(),
                ),
            ));
        }
        if let Some(kind) = request.kind {
            clauses.push((Occur::Must, term("kind", kind.code())));
        }
        if let Some(employment) = request.employment {
            clauses.push((Occur::Must, term("employment", employment.code())));
        }
        if let Some(accepting) = request.accepting {
            clauses.push((
                Occur::Must,
                term(
                    "accepting_clients",
                    if accepting { "true" } else { "false" },
                ),
            ));
        }
        if let Some(max) = request.max_price {
            let upper = Term::from_field_i64(f.price, max.pence());
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    std::ops::Bound::Unbounded,
                    std::ops::Bound::Included(upper),
                )),
            ));
        }
        clauses
    }

    pub fn search_blocking(&self, query: &EngineQuery) -> Result<EngineResults, SearchError> {
        let mut clauses = self.filter_query(query);
        if let Some(text) = self.text_query(&query.request.text) {
            clauses.push((Occur::Must, text));
        }
        let tantivy_query: Box<dyn Query> = if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        let searcher = self.inner.reader.searcher();
        let matches = searcher
            .search(&tantivy_query, &AllMatches)
            .map_err(failed)?;

        let kept = self.inner.docs.read().expect("not poisoned");
        // Distances are worked out only when they decide the order.
        let origin = query.origin.filter(|_| query.sort() == Sort::Distance);
        let mut found: Vec<(&KeptDocument, Score, f64)> = matches
            .iter()
            .filter_map(|(id, score)| {
                kept.docs.get(&ListingId(*id)).map(|listing| {
                    let distance = origin.map_or(0.0, |o| distance_km(o, listing.doc.geo));
                    (listing, *score, distance)
                })
            })
            .collect();

        // A broad search can match tens of thousands of listings: count by number, name at the end.
        let mut counts: [Vec<u64>; FACETS.len()] =
            std::array::from_fn(|facet| vec![0; kept.facet_values[facet].names.len()]);
        for (listing, _, _) in &found {
            for (facet, codes) in listing.facet_codes.iter().enumerate() {
                for code in codes {
                    counts[facet][usize::from(*code)] += 1;
                }
            }
        }
        let facets: BTreeMap<String, BTreeMap<String, u64>> = FACETS
            .iter()
            .zip(counts)
            .enumerate()
            .map(|(facet, ((name, _), values))| {
                let names = &kept.facet_values[facet].names;
                let values = values
                    .into_iter()
                    .enumerate()
                    .filter(|(_, count)| *count > 0)
                    .map(|(code, count)| (names[code].clone(), count))
                    .collect();
                ((*name).to_owned(), values)
            })
            .collect();

        let sort = query.sort();
        let order = |a: &(&KeptDocument, Score, f64), b: &(&KeptDocument, Score, f64)| {
            let (x, y) = (&a.0.doc, &b.0.doc);
            match sort {
                Sort::Relevance => b.1.total_cmp(&a.1).then(x.id.cmp(&y.id)),
                Sort::Price => x
                    .price_pence
                    .cmp(&y.price_pence)
                    .then(b.1.total_cmp(&a.1))
                    .then(x.id.cmp(&y.id)),
                Sort::Distance => {
                    a.2.total_cmp(&b.2)
                        .then(b.1.total_cmp(&a.1))
                        .then(x.id.cmp(&y.id))
                }
            }
        };
        // Only the requested page needs to be in order.
        let total = found.len();
        let wanted = query.request.offset() + query.request.per_page as usize;
        if wanted < found.len() {
            found.select_nth_unstable_by(wanted, order);
            found.truncate(wanted);
        }
        found.sort_by(order);
        let hits = found
            .into_iter()
            .skip(query.request.offset())
            .take(query.request.per_page as usize)
            .map(|(listing, _, _)| listing.doc.clone())
            .collect();
        Ok(EngineResults {
            hits,
            total,
            facets,
        })
    }
}

#[async_trait]
impl SearchBackend for EmbeddedEngine {
    fn name(&self) -> &'static str {
        "embedded"
    }

    async fn apply(&self, changes: IndexChanges) -> Result<(), SearchError> {
        let engine = self.clone();
        tokio::task::spawn_blocking(move || engine.apply_blocking(changes))
            .await
            .map_err(failed)?
    }

    async fn search(&self, query: EngineQuery<'_>) -> Result<EngineResults, SearchError> {
        // Searching a few thousand matches takes about a millisecond; it runs
        // in place rather than paying for a thread hop.
        self.search_blocking(&query)
    }

    async fn health(&self) -> Result<(), SearchError> {
        Ok(())
    }

    async fn compact(&self) -> Result<(), SearchError> {
        let engine = self.clone();
        tokio::task::spawn_blocking(move || engine.compact_blocking())
            .await
            .map_err(failed)?
    }
}

/// Collects every matching listing id with its score.
struct AllMatches;

struct SegmentMatches {
    ids: Column<i64>,
    hits: Vec<(i64, Score)>,
}

impl Collector for AllMatches {
    type Fruit = Vec<(i64, Score)>;
    type Child = SegmentMatches;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            ids: segment.fast_fields().i64("id")?,
            hits: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(i64, Score)>>) -> tantivy::Result<Vec<(i64, Score)>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Vec<(i64, Score)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(id) = self.ids.first(doc) {
            self.hits.push((id, score));
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.hits
    }
}
