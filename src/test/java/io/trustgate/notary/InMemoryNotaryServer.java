package io.trustgate.notary;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** A Notary server in memory: serves role files per GUN as completed futures and records what was asked. */
final class InMemoryNotaryServer implements TrustDataFetcher {

    /** One request: which file, with which size limit. */
    record Request(String gun, String roleFile, long maxBytes) {}

    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<Request> requests = new ArrayList<>();

    InMemoryNotaryServer put(String gun, String roleFile, byte[] bytes) {
        files.put(gun + "|" + roleFile, bytes.clone());
        return this;
    }

    InMemoryNotaryServer remove(String gun, String roleFile) {
        files.remove(gun + "|" + roleFile);
        return this;
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Serves the whole file even when it exceeds maxBytes, so that the verifier's own size checks are tested. */
    @Override
    public synchronized CompletableFuture<byte[]> fetch(String gun, String roleFile, long maxBytes) {
        requests.add(new Request(gun, roleFile, maxBytes));
        byte[] bytes = files.get(gun + "|" + roleFile);
        return bytes == null
                ? CompletableFuture.failedFuture(new TrustDataNotFoundException(gun, roleFile))
                : CompletableFuture.completedFuture(bytes.clone());
    }
}
