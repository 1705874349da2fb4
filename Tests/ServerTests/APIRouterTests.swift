import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import LLMTraceModel
@testable import Server

/// The JSON API through the router the server runs, in process: routes, query parsing and error answers.
@Suite struct APIRouterTests {
    static let json = "application/json; charset=utf-8"
    static func id(_ i: Int) -> String { StoreTests.record(i).id }

    @Test func listsNewestFirstAndPagesWithTheCursor() async throws {
        try await APITestApp.with { app, client in
            await app.save(APITestApp.records(5))
            let first = try await client.execute(uri: "/api/requests?limit=2", method: .get)
            #expect(first.status == .ok)
            #expect(first.headers[.contentType] == Self.json)
            let page1 = try first.decode(Page.self)
            #expect(page1.items.map(\.id) == [Self.id(4), Self.id(3)])
            #expect(page1.nextCursor == Self.id(3))

            let page2 = try await client.execute(uri: "/api/requests?limit=2&cursor=\(Self.id(3))", method: .get).decode(Page.self)
            #expect(page2.items.map(\.id) == [Self.id(2), Self.id(1)])
            let last = try await client.execute(uri: "/api/requests?limit=2&cursor=\(Self.id(1))", method: .get)
            #expect(try last.decode(Page.self).items.map(\.id) == [Self.id(0)])
            #expect(last.text.hasSuffix(#""nextCursor":null}"#))
        }
    }

    /// Records capture has not saved yet are listed at once, in their place, with the filters and the cursor.
    @Test func recordsNotSavedYetAreListed() async throws {
        try await APITestApp.with { app, client in
            await app.save(APITestApp.records(4))  // 0…3, saved
            var newer = StoreTests.record(2, env: "dev")
            newer.summary.model = "gpt-4o-mini"
            // Not flushed: the pipeline's writer does not run in these tests, so they stay pending.
            app.components.pipeline.submit(StoreTests.record(5, env: "dev"))
            app.components.pipeline.submit(newer)
            app.components.pipeline.submit(StoreTests.record(6, env: "prod"))

            func page(_ query: String) async throws -> Page {
                try await client.execute(uri: "/api/requests?\(query)", method: .get).decode(Page.self)
            }
            let first = try await page("limit=3")
            #expect(first.items.map(\.id) == [Self.id(6), Self.id(5), Self.id(3)])
            #expect(first.nextCursor == Self.id(3))
            let second = try await page("limit=3&cursor=\(Self.id(3))")
            #expect(second.items.map(\.id) == [Self.id(2), Self.id(1), Self.id(0)])
            #expect(second.items.first?.model == "gpt-4o-mini")  // the pending version
            #expect(second.nextCursor == nil)
            #expect(try await page("env=dev").items.map(\.id) == [Self.id(5), Self.id(2), Self.id(0)])
            #expect(try await page("limit=100").items.count == 6)
        }
    }

    @Test func filtersByEnvModelStatusAndTime() async throws {
        try await APITestApp.with { app, client in
            await app.save(APITestApp.records(5))
            func ids(_ query: String) async throws -> [String] {
                let response = try await client.execute(uri: "/api/requests?\(query)", method: .get)
                #expect(response.status == .ok, "\(query): \(response.text)")
                return try response.decode(Page.self).items.map(\.id)
            }
            let since = JSONCoding.format(StoreTests.t0.addingTimeInterval(3))
            let expected: [(String, [String])] = [
                ("env=prod", [Self.id(3), Self.id(1)]),
                ("model=gpt-4o", [Self.id(4), Self.id(2), Self.id(0)]),
                ("status=5xx", [Self.id(2)]),
                ("status=200&env=dev", [Self.id(4), Self.id(0)]),
                ("since=\(since)", [Self.id(4), Self.id(3)]),
                ("filter=%7Es%205xx", [Self.id(2)]),
            ]
            for (query, want) in expected {
                let got = try await ids(query)
                #expect(got == want, "\(query)")
            }
        }
    }

    @Test func badQueryParametersAnswer400WithTheErrorBody() async throws {
        try await APITestApp.with { _, client in
            let status = try await client.execute(uri: "/api/requests?status=teapot", method: .get)
            #expect(status.status == .badRequest)
            #expect(status.headers[.contentType] == Self.json)
            #expect(
                status.text
                    == #"{"error":{"message":"status='teapot' is not valid: expected a status code (200), a class (4xx) or 'error'","type":"invalid_parameter"}}"#
            )

            let limit = try await client.execute(uri: "/api/requests?limit=0", method: .get)
            #expect(limit.status == .badRequest)
            #expect(try limit.decode(ErrorBody.self).error.message == "limit='0' is not valid: expected a whole number from 1 to 1000")

            let since = try await client.execute(uri: "/cgi-bin/requests?since=yesterday", method: .get)
            #expect(since.status == .badRequest)
            #expect(try since.decode(ErrorBody.self).error.message.hasPrefix("since='yesterday' is not valid"))

            let filter = try await client.execute(uri: "/api/requests?filter=%7Ebogus", method: .get)
            #expect(filter.status == .badRequest)
            #expect(try filter.decode(ErrorBody.self).error.type == "invalid_filter")
        }
    }

    @Test func aRecordIsServedFromTheStoreOrWhilePendingAndAnUnknownIDIs404() async throws {
        try await APITestApp.with { app, client in
            let records = APITestApp.records(3)
            await app.save(records)
            let found = try await client.execute(uri: "/api/requests/\(Self.id(2))", method: .get)
            #expect(found.status == .ok)
            #expect(found.headers[.contentType] == Self.json)
            #expect(try found.decode(TraceRecord.self) == records[2])

            // Captured but not yet written: the pipeline's copy answers.
            var pending = StoreTests.record(7)
            pending.summary.complete = false
            app.components.pipeline.submit(pending)
            let inFlight = try await client.execute(uri: "/api/requests/\(pending.id)", method: .get)
            #expect(try inFlight.decode(TraceRecord.self).summary.complete == false)

            let missing = try await client.execute(uri: "/api/requests/nope", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == Self.json)
            #expect(missing.text == #"{"error":{"message":"no request with id 'nope'","type":"not_found"}}"#)
        }
    }

    @Test func theSeedProductsCGIRoutesServeTheSameAnswers() async throws {
        try await APITestApp.with { app, client in
            await app.save(APITestApp.records(3))
            let api = try await client.execute(uri: "/api/requests?env=dev", method: .get)
            let cgi = try await client.execute(uri: "/cgi-bin/requests?env=dev", method: .get)
            #expect(cgi.status == .ok)
            #expect(cgi.text == api.text)
            #expect(try cgi.decode(Page.self).items.count == 2)

            let record = try await client.execute(uri: "/cgi-bin/request/\(Self.id(1))", method: .get)
            #expect(try record.decode(TraceRecord.self).id == Self.id(1))
            let missing = try await client.execute(uri: "/cgi-bin/request/nope", method: .get)
            #expect(missing.status == .notFound)
            #expect(try missing.decode(ErrorBody.self).error.type == "not_found")

            let cleared = try await client.execute(uri: "/cgi-bin/clear", method: .post)
            #expect(cleared.text == #"{"cleared":3}"#)
            #expect(try await app.components.store.count() == 0)
            // Clearing is a POST there: a GET is no route.
            #expect(try await client.execute(uri: "/cgi-bin/clear", method: .get).status == .notFound)
        }
    }

    @Test func deleteClearsTheStoreAndWhatIsPending() async throws {
        try await APITestApp.with { app, client in
            await app.save(APITestApp.records(4))
            app.components.pipeline.submit(StoreTests.record(9))
            let cleared = try await client.execute(uri: "/api/requests", method: .delete)
            #expect(cleared.status == .ok)
            #expect(cleared.headers[.contentType] == Self.json)
            #expect(cleared.text == #"{"cleared":4}"#)
            await app.components.pipeline.flush()
            let list = try await client.execute(uri: "/api/requests", method: .get)
            #expect(list.text == #"{"items":[],"nextCursor":null}"#)
        }
    }

    @Test func statsSumTheFilteredRecords() async throws {
        try await APITestApp.with { app, client in
            await app.save(APITestApp.records(5))
            let all = try await client.execute(uri: "/api/stats", method: .get)
            #expect(all.status == .ok)
            let stats = try all.decode(Stats.self)
            #expect(stats.totalRequests == 5)
            #expect(stats.errors == 1)
            #expect(stats.totalCompletionTokens == 0 + 1 + 2 + 3 + 4)
            #expect(Set(stats.envBreakdown.compactMap(\.env)) == ["dev", "prod"])

            let dev = try await client.execute(uri: "/api/stats?env=dev", method: .get).decode(Stats.self)
            #expect(dev.totalRequests == 3)
            #expect(dev.totalPromptTokens == 30)
            #expect(dev.totalCompletionTokens == 0 + 2 + 4)

            let bad = try await client.execute(uri: "/api/stats?until=soon", method: .get)
            #expect(bad.status == .badRequest)
            #expect(try bad.decode(ErrorBody.self).error.type == "invalid_parameter")
        }
    }

    @Test func timeseriesBucketsTheRecordsAndRejectsBadBucketsAndRanges() async throws {
        try await APITestApp.with { app, client in
            await app.save(APITestApp.records(5))
            let since = JSONCoding.format(StoreTests.t0.addingTimeInterval(-60))
            let until = JSONCoding.format(StoreTests.t0.addingTimeInterval(60))
            let ok = try await client.execute(uri: "/api/timeseries?bucket=30s&since=\(since)&until=\(until)", method: .get)
            #expect(ok.status == .ok)
            let series = try ok.decode(Timeseries.self)
            #expect(series.bucketSeconds == 30)
            #expect(series.buckets.reduce(0) { $0 + $1.requests } == 5)
            #expect(series.buckets.reduce(0) { $0 + $1.errors } == 1)

            let bucket = try await client.execute(uri: "/api/timeseries?bucket=7x", method: .get)
            #expect(bucket.status == .badRequest)
            #expect(
                bucket.text
                    == #"{"error":{"message":"bucket='7x' is not valid: expected a width such as 30s, 1m, 5m, 1h or 1d","type":"invalid_parameter"}}"#
            )

            let backwards = try await client.execute(uri: "/api/timeseries?since=\(until)&until=\(since)", method: .get)
            #expect(backwards.status == .badRequest)
            #expect(try backwards.decode(ErrorBody.self).error.message.hasSuffix("expected a time before 'until'"))

            let tooMany = try await client.execute(uri: "/api/timeseries?bucket=1&since=1&until=1795000000", method: .get)
            #expect(tooMany.status == .badRequest)
            #expect(try tooMany.decode(ErrorBody.self).error.message.hasPrefix("that range needs more than 10000 buckets of 1"))
        }
    }

    @Test func costEstimatesPriceKnownModelsAndNameTheBadParameter() async throws {
        try await APITestApp.with { _, client in
            let priced = try await client.execute(uri: "/api/cost-estimate?model=gpt-4o&promptTokens=1000&completionTokens=200", method: .get)
            #expect(priced.status == .ok)
            #expect(priced.headers[.contentType] == Self.json)
            let body = try priced.object()
            #expect(body["promptTokens"] as? Int == 1000)
            #expect(body["completionTokens"] as? Int == 200)
            #expect(body["pricedAs"] is String)
            #expect((body["estimatedCost"] as? Double ?? 0) > 0)
            #expect(priced.text.contains(#""cachedTokens":null"#))

            let unknown = try await client.execute(uri: "/api/cost-estimate?model=no-such-model-xyz&promptTokens=5", method: .get)
            #expect(unknown.text.contains(#""estimatedCost":null"#))
            #expect(unknown.text.contains(#""pricedAs":null"#))

            let noModel = try await client.execute(uri: "/api/cost-estimate?promptTokens=5", method: .get)
            #expect(noModel.status == .badRequest)
            #expect(
                noModel.text == #"{"error":{"message":"model='' is not valid: expected a model name, such as gpt-4o","type":"invalid_parameter"}}"#
            )

            let negative = try await client.execute(uri: "/api/cost-estimate?model=gpt-4o&promptTokens=-5", method: .get)
            #expect(negative.status == .badRequest)
            #expect(try negative.decode(ErrorBody.self).error.message.hasPrefix("promptTokens='-5' is not valid"))

            let cached = try await client.execute(uri: "/api/cost-estimate?model=gpt-4o&promptTokens=10&cachedTokens=20", method: .get)
            #expect(cached.status == .badRequest)
            #expect(try cached.decode(ErrorBody.self).error.message == "cachedTokens='20' is not valid: expected a whole number from 0 to 10")
        }
    }

    @Test func healthReportsTheStoreCaptureAndPrices() async throws {
        try await APITestApp.with { app, client in
            await app.save(APITestApp.records(2))
            let response = try await client.execute(uri: "/api/health", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == Self.json)
            let health = try response.object()
            #expect(health["status"] as? String == "ok")
            #expect(health["reason"] == nil)
            #expect(health["version"] as? String == LLMTraceVersion.current)
            #expect(health["records"] as? Int == 2)
            #expect(health["store"] as? String == app.components.store.description)
            #expect((health["prices"] as? Int ?? 0) > 0)
            let capture = try #require(health["capture"] as? [String: Any])
            #expect(capture["saved"] as? Int == 2)
            #expect(capture["storeFailing"] as? Bool == false)
        }
    }

    @Test func theEventStreamRejectsABadLastEventID() async throws {
        try await APITestApp.with { _, client in
            let response = try await client.execute(
                uri: "/api/events",
                method: .get,
                headers: [try #require(HTTPField.Name("last-event-id")): "soon"]
            )
            #expect(response.status == .badRequest)
            #expect(try response.decode(ErrorBody.self).error.message.hasPrefix("Last-Event-ID='soon' is not valid"))
            let filter = try await client.execute(uri: "/api/events?filter=%7Ebogus", method: .get)
            #expect(filter.status == .badRequest)
            #expect(try filter.decode(ErrorBody.self).error.type == "invalid_filter")
        }
    }

    @Test func aPathNoRouteHasIs404() async throws {
        try await APITestApp.with { _, client in
            let unknown = try await client.execute(uri: "/api/nope", method: .get)
            #expect(unknown.status == .notFound)
            let wrongMethod = try await client.execute(uri: "/api/requests", method: .put)
            #expect(wrongMethod.status == .notFound)
        }
    }

    @Test func aMalformedProxyRouteGetsTheSameErrorBodyAndIsRecorded() async throws {
        try await APITestApp.with { app, client in
            let response = try await client.execute(uri: "/proxy/dev/ftp/example.com/v1", method: .post)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == Self.json)
            let id = try #require(response.headers[ProxyHandler.idHeader])
            let error = try response.decode(ErrorBody.self).error
            #expect(error.type == "invalid_proxy_route")
            #expect(response.text == #"{"error":{"message":"\#(error.message)","type":"invalid_proxy_route"}}"#)
            await app.components.pipeline.flush()
            let record = try await client.execute(uri: "/api/requests/\(id)", method: .get).decode(TraceRecord.self)
            #expect(record.summary.status == 400)
            #expect(record.summary.error?.type == "invalid_proxy_route")
        }
    }
}
