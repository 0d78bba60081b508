/*
 * Tiny Elasticsearch module ("tousu-dev") for the local test/dev node started by
 * scripts/elasticsearch.sh. It fills gaps of the Maven Central integ-test-zip
 * distribution, which ships only server + transport-netty4 + x-pack-core/security + apm:
 *
 *  - GET / and HEAD /  (the real handler lives in the `rest-root` module, which is not in
 *    that zip). The Python client's info() and ping() need it.
 *  - the `whitespace` and `keyword` tokenizers for custom analyzers (the real ones live in
 *    `analysis-common`). The built-in `whitespace` *analyzer* is part of the server already.
 *  - POST /{index}/_delete_by_query (the real one lives in `reindex`): a simple synchronous
 *    scroll + bulk-delete loop. Supports body `query` / `max_docs` and the params refresh,
 *    conflicts, scroll_size, max_docs, routing, q; other params are accepted and ignored,
 *    wait_for_completion=false is rejected. No slicing, throttling or task API.
 *
 * It is compiled with javac against the distribution's lib/ by the script and installed as
 * a module directory (jar + plugin-descriptor.properties); nothing here is needed in
 * production, where the full distribution has the real modules.
 */
package org.tousu.es;

import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.elasticsearch.Build;
import org.elasticsearch.ElasticsearchException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.DocWriteResponse;
import org.elasticsearch.action.admin.indices.refresh.RefreshRequest;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.search.ClearScrollRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.search.SearchScrollRequest;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

public class TousuDevPlugin extends Plugin implements ActionPlugin, AnalysisPlugin {

    private final AtomicReference<ClusterService> clusterService = new AtomicReference<>();

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService.set(services.clusterService());
        return List.of();
    }

    @Override
    public Collection<RestHandler> getRestHandlers(
        Settings settings,
        NamedWriteableRegistry namedWriteableRegistry,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RootHandler(clusterService), new DeleteByQueryHandler());
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of(
            "whitespace",
            (indexSettings, env, name, s) -> {
                int max = s.getAsInt("max_token_length", 255);
                return TokenizerFactory.newFactory(
                    name,
                    () -> new WhitespaceTokenizer(WhitespaceTokenizer.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, max)
                );
            },
            "keyword",
            (indexSettings, env, name, s) -> {
                int buf = s.getAsInt("buffer_size", 256);
                return TokenizerFactory.newFactory(name, () -> new KeywordTokenizer(buf));
            }
        );
    }

    /** GET|HEAD / : the same body as the real rest-root module's MainResponse. */
    static final class RootHandler extends BaseRestHandler {
        private final AtomicReference<ClusterService> clusterService;

        RootHandler(AtomicReference<ClusterService> clusterService) {
            this.clusterService = clusterService;
        }

        @Override
        public String getName() {
            return "tousu_dev_main_action";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
            return channel -> {
                ClusterService cs = clusterService.get();
                Build build = Build.current();
                XContentBuilder b = channel.newBuilder();
                b.startObject();
                b.field("name", cs.getNodeName());
                b.field("cluster_name", cs.getClusterName().value());
                b.field("cluster_uuid", cs.state().metadata().clusterUUID());
                b.startObject("version")
                    .field("number", build.qualifiedVersion())
                    .field("build_flavor", build.flavor())
                    .field("build_type", build.type().displayName())
                    .field("build_hash", build.hash())
                    .field("build_date", build.date())
                    .field("build_snapshot", build.isSnapshot())
                    .field("lucene_version", org.apache.lucene.util.Version.LATEST.toString())
                    .field("minimum_wire_compatibility_version", build.minWireCompatVersion())
                    .field("minimum_index_compatibility_version", build.minIndexCompatVersion())
                    .endObject();
                b.field("tagline", "You Know, for Search");
                b.endObject();
                channel.sendResponse(new RestResponse(RestStatus.OK, b));
            };
        }

        @Override
        public boolean canTripCircuitBreaker() {
            return false;
        }
    }

    /** POST /{index}/_delete_by_query : scroll over the matches and bulk-delete them. */
    static final class DeleteByQueryHandler extends BaseRestHandler {
        private static final String[] IGNORED_PARAMS = {
            "timeout", "wait_for_active_shards", "slices", "requests_per_second", "scroll", "search_timeout",
            "allow_no_indices", "expand_wildcards", "ignore_unavailable", "preference", "request_cache",
            "stats", "terminate_after", "version", "analyzer", "analyze_wildcard", "default_operator", "df",
            "lenient", "sort", "from", "search_type" };

        @Override
        public String getName() {
            return "tousu_dev_delete_by_query_action";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.POST, "/{index}/_delete_by_query"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
            String[] indices = Strings.splitStringByCommaToArray(request.param("index"));
            boolean refresh = request.paramAsBoolean("refresh", false);
            boolean proceed = "proceed".equals(request.param("conflicts", "abort"));
            int scrollSize = request.paramAsInt("scroll_size", 1000);
            long[] maxDocs = { request.paramAsInt("max_docs", -1) };
            String routing = request.param("routing");
            String q = request.param("q");
            if (request.paramAsBoolean("wait_for_completion", true) == false) {
                throw new IllegalArgumentException("tousu-dev _delete_by_query supports only wait_for_completion=true");
            }
            for (String p : IGNORED_PARAMS) {
                request.param(p);
            }
            QueryBuilder[] query = { q != null ? QueryBuilders.queryStringQuery(q) : QueryBuilders.matchAllQuery() };
            if (request.hasContentOrSourceParam()) {
                try (XContentParser parser = request.contentOrSourceParamParser()) {
                    if (parser.nextToken() != XContentParser.Token.START_OBJECT) {
                        throw new IllegalArgumentException("request body must be an object");
                    }
                    XContentParser.Token token;
                    while ((token = parser.nextToken()) == XContentParser.Token.FIELD_NAME) {
                        String field = parser.currentName();
                        parser.nextToken();
                        switch (field) {
                            case "query" -> query[0] = AbstractQueryBuilder.parseTopLevelQuery(parser);
                            case "max_docs", "size" -> maxDocs[0] = parser.longValue();
                            case "conflicts" -> proceed = "proceed".equals(parser.text());
                            default -> throw new IllegalArgumentException(
                                "[" + field + "] is not supported by the tousu-dev _delete_by_query"
                            );
                        }
                    }
                }
            }
            final boolean onConflictProceed = proceed;
            return channel -> new Run(client, channel, indices, query[0], routing, scrollSize, maxDocs[0], onConflictProceed, refresh)
                .start();
        }
    }

    static final class Run {
        private static final TimeValue KEEP_ALIVE = TimeValue.timeValueMinutes(5);
        private final NodeClient client;
        private final RestChannel channel;
        private final String[] indices;
        private final QueryBuilder query;
        private final String routing;
        private final int scrollSize;
        private final long maxDocs;
        private final boolean proceed;
        private final boolean refresh;
        private final long startNanos = System.nanoTime();
        private final List<BulkItemResponse.Failure> failures = new ArrayList<>();
        private String scrollId;
        private long total, seen, deleted, batches, conflicts;

        Run(NodeClient client, RestChannel channel, String[] indices, QueryBuilder query, String routing, int scrollSize,
            long maxDocs, boolean proceed, boolean refresh) {
            this.client = client;
            this.channel = channel;
            this.indices = indices;
            this.query = query;
            this.routing = routing;
            this.scrollSize = scrollSize;
            this.maxDocs = maxDocs;
            this.proceed = proceed;
            this.refresh = refresh;
        }

        void start() {
            SearchSourceBuilder source = new SearchSourceBuilder().query(query)
                .size(maxDocs >= 0 ? (int) Math.min(scrollSize, Math.max(maxDocs, 1)) : scrollSize)
                .sort("_doc").fetchSource(false).seqNoAndPrimaryTerm(true).trackTotalHits(true);
            SearchRequest search = new SearchRequest(indices).source(source).scroll(KEEP_ALIVE);
            if (routing != null) {
                search.routing(routing);
            }
            client.search(search, ActionListener.wrap(this::onPage, this::fail));
        }

        private void onPage(SearchResponse response) {
            scrollId = response.getScrollId();
            if (batches == 0 && response.getHits().getTotalHits() != null) {
                total = response.getHits().getTotalHits().value;
                if (maxDocs >= 0) {
                    total = Math.min(total, maxDocs);
                }
            }
            SearchHit[] hits = response.getHits().getHits();
            BulkRequest bulk = new BulkRequest();
            for (SearchHit hit : hits) {
                if (maxDocs >= 0 && seen >= maxDocs) {
                    break;
                }
                DeleteRequest delete = new DeleteRequest(hit.getIndex(), hit.getId());
                delete.setIfSeqNo(hit.getSeqNo());
                delete.setIfPrimaryTerm(hit.getPrimaryTerm());
                DocumentField r = hit.field("_routing");
                if (r != null && r.getValue() != null) {
                    delete.routing(r.getValue().toString());
                }
                bulk.add(delete);
                seen++;
            }
            if (bulk.numberOfActions() == 0) {
                finish();
                return;
            }
            batches++;
            client.bulk(bulk, ActionListener.wrap(this::onBulk, this::fail));
        }

        private void onBulk(BulkResponse response) {
            for (BulkItemResponse item : response.getItems()) {
                if (item.isFailed()) {
                    if (item.getFailure().getStatus() == RestStatus.CONFLICT) {
                        conflicts++;
                        if (proceed) {
                            continue;
                        }
                    }
                    failures.add(item.getFailure());
                } else if (item.getResponse().getResult() == DocWriteResponse.Result.DELETED) {
                    deleted++;
                }
            }
            if (failures.isEmpty() == false || (maxDocs >= 0 && seen >= maxDocs) || scrollId == null) {
                finish();
                return;
            }
            client.searchScroll(new SearchScrollRequest(scrollId).scroll(KEEP_ALIVE), ActionListener.wrap(this::onPage, this::fail));
        }

        private void finish() {
            if (scrollId != null) {
                ClearScrollRequest clear = new ClearScrollRequest();
                clear.addScrollId(scrollId);
                client.clearScroll(clear, ActionListener.noop());
            }
            if (refresh) {
                client.admin().indices().refresh(new RefreshRequest(indices), ActionListener.wrap(r -> respond(), this::fail));
            } else {
                try {
                    respond();
                } catch (Exception e) {
                    fail(e);
                }
            }
        }

        private void respond() throws IOException {
            XContentBuilder b = channel.newBuilder();
            b.startObject();
            b.field("took", TimeValue.nsecToMSec(System.nanoTime() - startNanos));
            b.field("timed_out", false);
            b.field("total", total);
            b.field("deleted", deleted);
            b.field("batches", batches);
            b.field("version_conflicts", conflicts);
            b.field("noops", 0);
            b.startObject("retries").field("bulk", 0).field("search", 0).endObject();
            b.field("throttled_millis", 0);
            b.field("requests_per_second", -1.0);
            b.field("throttled_until_millis", 0);
            b.startArray("failures");
            for (BulkItemResponse.Failure f : failures) {
                b.startObject();
                b.field("index", f.getIndex());
                b.field("id", f.getId());
                b.startObject("cause")
                    .field("type", ElasticsearchException.getExceptionName(f.getCause()))
                    .field("reason", f.getMessage())
                    .endObject();
                b.field("status", f.getStatus().getStatus());
                b.endObject();
            }
            b.endArray();
            b.endObject();
            RestStatus status = RestStatus.OK;
            for (BulkItemResponse.Failure f : failures) {
                if (f.getStatus().getStatus() > status.getStatus()) {
                    status = f.getStatus();
                }
            }
            channel.sendResponse(new RestResponse(status, b));
        }

        private void fail(Exception e) {
            try {
                channel.sendResponse(new RestResponse(channel, e));
            } catch (IOException inner) {
                inner.addSuppressed(e);
                channel.sendResponse(new RestResponse(RestStatus.INTERNAL_SERVER_ERROR, inner.toString()));
            }
        }
    }
}
