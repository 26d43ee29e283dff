// LuceneBench: the Lucene 8 peer of the benchmark (Debian's liblucene8-java), built by bench/run.sh
// with javac.
//
//   java LuceneBench index DIR THREADS FILE.jsonl...
//       EnglishAnalyzer (standard tokenizer, lower case, English stop words, Porter stemmer),
//       positions; fields: id (stored), title and body (TextField, stored), date (LongPoint and
//       doc values), source (StringField + SortedDocValues, for a facet). THREADS threads feed one
//       IndexWriter (256 MB RAM buffer); one commit at the end. Prints JSON.
//   java LuceneBench forcemerge DIR      merges to one segment (the "compacted" size).
//   java LuceneBench search DIR QUERIES [RUNS]
//       classic QueryParser over title^5 and body (AND, phrases), top 10, the 10 stored documents
//       read; one untimed pass to warm up, then RUNS timed passes. Prints per-query latencies (ms).
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

public class LuceneBench {
    // JSON Lines fields are read with a small string scanner: the records are flat, and a JSON
    // library is not among Debian's Lucene dependencies. Handles the escapes JSON writers emit.
    private static String field(String line, String name) {
        String key = "\"" + name + "\": ";
        int at = line.indexOf(key);
        if (at < 0) {
            key = "\"" + name + "\":";
            at = line.indexOf(key);
            if (at < 0) return "";
        }
        int i = at + key.length();
        if (i >= line.length() || line.charAt(i) != '"') return "";  // null or not a string
        StringBuilder out = new StringBuilder();
        for (++i; i < line.length(); ++i) {
            char c = line.charAt(i);
            if (c == '"') break;
            if (c != '\\') { out.append(c); continue; }
            char e = line.charAt(++i);
            switch (e) {
                case 'n': out.append('\n'); break;
                case 't': out.append('\t'); break;
                case 'r': out.append('\r'); break;
                case 'b': out.append('\b'); break;
                case 'f': out.append('\f'); break;
                case 'u': out.append((char) Integer.parseInt(line.substring(i + 1, i + 5), 16)); i += 4; break;
                default: out.append(e);
            }
        }
        return out.toString();
    }

    private static final Pattern YEAR_DAY = Pattern.compile("^(\\d{4})-(\\d{2})-(\\d{2})");

    private static Document toDocument(String line) {
        Document doc = new Document();
        String title = field(line, "title");
        String text = field(line, "text");
        doc.add(new StringField("id", field(line, "id"), Field.Store.YES));
        doc.add(new TextField("title", title, Field.Store.YES));
        doc.add(new TextField("body", text, Field.Store.YES));
        String source = field(line, "source");
        doc.add(new StringField("source", source, Field.Store.YES));
        doc.add(new SortedDocValuesField("source", new BytesRef(source)));
        Matcher m = YEAR_DAY.matcher(field(line, "date"));
        if (m.find()) {
            long day = Long.parseLong(m.group(1) + m.group(2) + m.group(3));
            doc.add(new LongPoint("day", day));
            doc.add(new NumericDocValuesField("day", day));
            doc.add(new StoredField("day", day));
        }
        return doc;
    }

    static void index(String dir, int threads, List<String> inputs) throws Exception {
        long start = System.nanoTime();
        IndexWriterConfig config = new IndexWriterConfig(new EnglishAnalyzer());
        config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        config.setRAMBufferSizeMB(256);
        AtomicLong articles = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        try (FSDirectory directory = FSDirectory.open(Paths.get(dir));
             IndexWriter writer = new IndexWriter(directory, config)) {
            // Threads take whole input files, or, for one big file, interleaved lines.
            List<Thread> workers = new ArrayList<>();
            final List<String> files = inputs;
            for (int t = 0; t < threads; ++t) {
                final int me = t;
                Thread worker = new Thread(() -> {
                    try {
                        long n = 0;
                        for (String file : files) {
                            try (BufferedReader in = Files.newBufferedReader(Paths.get(file), StandardCharsets.UTF_8)) {
                                String line;
                                while ((line = in.readLine()) != null) {
                                    if (line.isEmpty()) continue;
                                    if (n++ % threads != me) continue;
                                    Document doc = toDocument(line);
                                    writer.addDocument(doc);
                                    articles.incrementAndGet();
                                    bytes.addAndGet(doc.get("title").getBytes(StandardCharsets.UTF_8).length
                                                    + doc.get("body").getBytes(StandardCharsets.UTF_8).length);
                                }
                            }
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                worker.start();
                workers.add(worker);
            }
            for (Thread worker : workers) worker.join();
            writer.commit();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("{\"articles\": %d, \"bytes\": %d, \"seconds\": %.3f}%n", articles.get(), bytes.get(), seconds);
    }

    static void forceMerge(String dir) throws Exception {
        IndexWriterConfig config = new IndexWriterConfig(new EnglishAnalyzer());
        config.setOpenMode(IndexWriterConfig.OpenMode.APPEND);
        try (FSDirectory directory = FSDirectory.open(Paths.get(dir));
             IndexWriter writer = new IndexWriter(directory, config)) {
            writer.forceMerge(1);
            writer.commit();
        }
    }

    static void search(String dir, String queriesPath, int runs) throws Exception {
        List<String> queries = new ArrayList<>();
        for (String q : Files.readAllLines(Paths.get(queriesPath), StandardCharsets.UTF_8)) {
            if (!q.isEmpty()) queries.add(q);
        }
        Map<String, Float> boosts = new HashMap<>();
        boosts.put("title", 5f);
        boosts.put("body", 1f);
        Analyzer analyzer = new EnglishAnalyzer();
        List<Double> latencies = new ArrayList<>();
        long checksum = 0;
        try (FSDirectory directory = FSDirectory.open(Paths.get(dir));
             DirectoryReader reader = DirectoryReader.open(directory)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            // The JIT needs more than one pass to settle: warm-up passes are untimed.
            for (int pass = -2; pass < runs; ++pass) {
                for (String text : queries) {
                    long t0 = System.nanoTime();
                    MultiFieldQueryParser parser =
                        new MultiFieldQueryParser(new String[] {"title", "body"}, analyzer, boosts);
                    parser.setDefaultOperator(QueryParser.Operator.AND);
                    Query query = parser.parse(text);
                    TopDocs top = searcher.search(query, 10);
                    for (ScoreDoc hit : top.scoreDocs) checksum += searcher.doc(hit.doc).get("body").length();
                    double ms = (System.nanoTime() - t0) / 1e6;
                    if (pass >= 0) latencies.add(ms);
                }
            }
        }
        StringBuilder out = new StringBuilder("{\"checksum\": " + checksum + ", \"latencies_ms\": [");
        for (int i = 0; i < latencies.size(); ++i) out.append(i == 0 ? "" : ",").append(String.format("%.4f", latencies.get(i)));
        System.out.println(out.append("]}"));
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 4 && args[0].equals("index")) {
            List<String> inputs = new ArrayList<>();
            for (int i = 3; i < args.length; ++i) inputs.add(args[i]);
            index(args[1], Integer.parseInt(args[2]), inputs);
        } else if (args.length == 2 && args[0].equals("forcemerge")) {
            forceMerge(args[1]);
        } else if ((args.length == 3 || args.length == 4) && args[0].equals("search")) {
            search(args[1], args[2], args.length == 4 ? Integer.parseInt(args[3]) : 1);
        } else {
            System.err.println("usage: LuceneBench index DIR THREADS FILE.jsonl... | forcemerge DIR | search DIR QUERIES [RUNS]");
            System.exit(2);
        }
    }
}
