// embed_search: the smallest program that embeds the Wiredesk search library.
//
// Shows: opening a database read-only, one Request with a filter and a sort order, reading the
// hits (with the snippet's highlights), the facets and the "did you mean" suggestion, and that
// a malformed query comes back with warnings rather than an exception.
//
//   wiredesk-search-example news.db 'abu dhabi talks source:AFP'

#include <iostream>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/searcher/searcher.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: " << argv[0] << " DATABASE QUERY\n";
        return 2;
    }
    namespace search = wiredesk::searcher;
    try {
        // One Searcher per process is enough: search() is safe from many threads at once.
        const search::Searcher searcher({argv[1]});

        search::Request request;
        request.query = argv[2];
        request.limit = 5;
        request.sort = search::SortOrder::kRecency;  // relevance, newer articles a little higher
        const search::Response response = searcher.search(request);

        for (const std::string& warning : response.warnings) std::cout << "note: " << warning << '\n';
        if (response.suggestion) std::cout << "did you mean: " << *response.suggestion << '\n';
        std::cout << response.total << " matches\n";
        for (const search::Hit& hit : response.results) {
            std::cout << hit.rank << ". " << hit.title << " (" << hit.source << ", "
                      << (hit.date.empty() ? "undated" : hit.date) << ")\n   "
                      << search::mark_highlights(hit.snippet, hit.snippet_highlights, "[", "]")
                      << '\n';
        }
        if (response.facets) {
            for (const search::FacetValue& source : response.facets->sources) {
                std::cout << "  " << source.value << ": " << source.count << '\n';
            }
        }
        return response.total > 0 ? 0 : 3;
    } catch (const wiredesk::Error& error) {  // DatabaseError, SchemaMismatch, QueryError
        std::cerr << error.what() << '\n';
        return 1;
    }
}
