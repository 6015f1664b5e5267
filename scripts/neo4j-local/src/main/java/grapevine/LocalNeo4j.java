package grapevine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * A local Neo4j Community server for development and tests on machines without Docker:
 * the embedded database with its Bolt connector on 127.0.0.1, and the OpenGDS and APOC
 * plugin jars registered from a plugins folder, as a Neo4j server would.
 *
 * Usage: LocalNeo4j <homeDir> <boltPort> <pluginsDir> [pageCacheMb]
 *
 * It prints one line "GRAPEVINE_NEO4J_READY <port>" once Bolt accepts sessions, and shuts the
 * database down cleanly on SIGTERM/SIGINT or when its standard input closes, so that a parent
 * process that dies without cleaning up never leaves an orphaned JVM holding the store lock.
 */
public final class LocalNeo4j {
    private LocalNeo4j() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: LocalNeo4j <homeDir> <boltPort> <pluginsDir> [pageCacheMb]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int boltPort = Integer.parseInt(args[1]);
        Path plugins = Path.of(args[2]).toAbsolutePath();
        long pageCacheMb = args.length > 3 ? Long.parseLong(args[3]) : 512;
        Files.createDirectories(home);

        // Loopback only, so auth is off: the only clients are processes on this machine.
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", boltPort))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCacheMb * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.plugin_dir, plugins)
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("gds.*", "apoc.*"))
                .build();

        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        db.executeTransactionally("RETURN 1");
        System.out.println("GRAPEVINE_NEO4J_READY " + boltPort);
        System.out.flush();

        exitWhenStdinCloses();
    }

    private static void exitWhenStdinCloses() {
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            try {
                while (in.read() != -1) {
                    // The parent writes nothing; any bytes are ignored.
                }
            } catch (IOException ignored) {
                // A broken pipe means the parent is gone, the same as end of input.
            }
            System.exit(0);
        }, "parent-watcher");
        watcher.setDaemon(false);
        watcher.start();
    }
}
