#!/usr/bin/env python3
"""One client, one keep-alive connection: times /api/search of a running wiredesk-serve.

  http_latency.py --port P --queries FILE [--runs R] [--params 'group=story']

One untimed pass warms the server, then R timed passes. Prints JSON: the client-side latency of
each request in ms (request sent to body read; the JSON is parsed after the clock stops), the
server's own timing.total_ms, and whether the server warned that grouping is unavailable.
"""
import argparse
import http.client
import json
import time
import urllib.parse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--params", default="")
    args = parser.parse_args()
    queries = [q for q in open(args.queries).read().splitlines() if q]
    connection = http.client.HTTPConnection("127.0.0.1", args.port)
    latencies, server_ms = [], []
    grouping_unavailable = False
    for run in range(args.runs + 1):
        for query in queries:
            path = "/api/search?limit=10&q=" + urllib.parse.quote_plus(query)
            if args.params:
                path += "&" + args.params
            start = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            ms = (time.perf_counter() - start) * 1000
            if response.status != 200:
                raise SystemExit(f"http_latency.py: {response.status} for {path}: {body[:200]!r}")
            if run == 0:
                continue
            answer = json.loads(body)
            latencies.append(round(ms, 4))
            server_ms.append(answer.get("timing", {}).get("total_ms"))
            if any("grouping is not available" in w for w in answer.get("warnings", [])):
                grouping_unavailable = True
    print(json.dumps({"latencies_ms": latencies, "server_total_ms": server_ms,
                      "grouping_unavailable": grouping_unavailable}))


if __name__ == "__main__":
    main()
