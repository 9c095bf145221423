/*
 * Runs a Neo4j 5.26 Community DBMS in-process with the Bolt connector on.
 *
 * Compiled and started by familycard.graph.store.neo4j_local (see pom.xml for the jars).
 *
 *   java <module flags> -cp '<cache>/classes:<cache>/lib/*' Neo4jLauncher \
 *        --home DIR [--host 127.0.0.1] [--port 7687|0] [--pagecache 256m]
 *        [--auth USER] [--no-stdin-watch]
 *        [--import-dir DIR] [--procedures db.labels,db.awaitIndexes,...]
 *
 * --port 0 lets the OS pick a free port; the real port is in the READY line:
 *
 *   NEO4J READY bolt://127.0.0.1:<port>
 *
 * --auth USER turns authentication on and sets USER's password to the value of
 * the environment variable NEO4J_LAUNCHER_PASSWORD (kept off the command line
 * so it does not show in `ps`). Without --auth, authentication is disabled.
 *
 * LOAD CSV may not read server files (file:// URLs off; their root is --import-dir,
 * default <home>/import, created empty), and only the procedures --procedures lists
 * (names or patterns with *) are loaded (Neo4j applies this to plugin procedures; the
 * built-in ones stay, measured on 5.26 Community).
 *
 * The process stops cleanly on SIGTERM/SIGINT (shutdown hook) and, unless
 * --no-stdin-watch is given, when its stdin reaches end of file, so a parent
 * that dies does not leave the DBMS behind.
 */

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

public final class Neo4jLauncher {
    static final String PASSWORD_ENV = "NEO4J_LAUNCHER_PASSWORD";

    private static DatabaseManagementService dbms;
    private static final AtomicBoolean stopped = new AtomicBoolean(false);

    public static void main(String[] args) {
        Path home = null;
        String host = "127.0.0.1";
        int port = 7687;
        String pagecache = "256m";
        String authUser = null;
        boolean watchStdin = true;
        Path importDir = null;
        List<String> procedures = List.of();

        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--home": home = Path.of(value(args, ++i, a)).toAbsolutePath(); break;
                case "--host": host = value(args, ++i, a); break;
                case "--port": port = Integer.parseInt(value(args, ++i, a)); break;
                case "--pagecache": pagecache = value(args, ++i, a); break;
                case "--auth": authUser = value(args, ++i, a); break;
                case "--no-stdin-watch": watchStdin = false; break;
                case "--import-dir": importDir = Path.of(value(args, ++i, a)).toAbsolutePath(); break;
                case "--procedures":
                    procedures = Arrays.stream(value(args, ++i, a).split(","))
                            .map(String::trim).filter(p -> !p.isEmpty()).toList();
                    break;
                default: die("unknown argument: " + a);
            }
        }
        if (home == null) die("--home DIR is required");
        if (importDir == null) importDir = home.resolve("import");
        String password = null;
        if (authUser != null) {
            if (!authUser.matches("[A-Za-z0-9_]+")) die("--auth user name must match [A-Za-z0-9_]+");
            password = System.getenv(PASSWORD_ENV);
            if (password == null || password.length() < 8) {
                die("--auth needs the password (8+ characters) in $" + PASSWORD_ENV);
            }
        }

        Runtime.getRuntime().addShutdownHook(new Thread(Neo4jLauncher::shutdown, "neo4j-launcher-shutdown"));

        try {
            Files.createDirectories(importDir);
            DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(HttpConnector.enabled, false)
                    .setConfig(HttpsConnector.enabled, false)
                    .setConfig(GraphDatabaseSettings.auth_enabled, authUser != null)
                    .setConfig(GraphDatabaseSettings.udc_enabled, false) // dbms.usage_report.enabled
                    .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pagecache))
                    // A writer waiting on a lock held by a client that died (kill -9) fails
                    // after 2 minutes with an error, instead of waiting for ever.
                    .setConfig(GraphDatabaseSettings.lock_acquisition_timeout, Duration.ofMinutes(2))
                    // Internal knobs: stop in ~1 s instead of ~10 s (tests start/stop often).
                    .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                    // LOAD CSV reads no server file (dbms.security.allow_csv_import_from_file_urls,
                    // server.directories.import: an empty folder of its own).
                    .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                    .setConfig(GraphDatabaseSettings.load_csv_file_url_root, importDir);
            if (!procedures.isEmpty()) { // dbms.security.procedures.allowlist
                builder = builder.setConfig(GraphDatabaseSettings.procedure_allowlist, procedures);
            }
            dbms = builder.build();

            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            if (!db.isAvailable(TimeUnit.MINUTES.toMillis(5))) {
                throw new IllegalStateException("default database did not become available");
            }
            if (authUser != null) {
                setPassword(authUser, password);
            }
            HostnamePort bolt = ((GraphDatabaseAPI) db).getDependencyResolver()
                    .resolveDependency(ConnectorPortRegister.class)
                    .getLocalAddress(ConnectorType.BOLT);
            int boltPort = bolt != null ? bolt.getPort() : port;
            System.out.println("NEO4J READY bolt://" + host + ":" + boltPort);
            System.out.flush();
        } catch (Throwable t) {
            System.err.println("NEO4J FAILED " + t);
            t.printStackTrace();
            System.err.flush();
            System.exit(1);
        }

        if (watchStdin) {
            Thread watcher = new Thread(() -> {
                InputStream in = System.in;
                byte[] buf = new byte[256];
                try {
                    while (in.read(buf) >= 0) {
                        // ignore input; only end of file matters
                    }
                } catch (IOException ignored) {
                    // treat a broken stdin like end of file
                }
                System.out.println("NEO4J stdin closed, stopping");
                System.exit(0);
            }, "neo4j-launcher-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }
        // The DBMS threads keep the JVM alive; park the main thread.
        try {
            Thread.currentThread().join();
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    private static void setPassword(String user, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        // user is validated against [A-Za-z0-9_]+ above, so backtick quoting is safe.
        String quoted = "`" + user + "`";
        system.executeTransactionally("CREATE USER " + quoted
                + " IF NOT EXISTS SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        try {
            system.executeTransactionally("ALTER USER " + quoted
                    + " SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // Raised when the password is unchanged (restart with the same data): fine.
            String msg = String.valueOf(e.getMessage()).toLowerCase();
            if (!msg.contains("same")) throw e;
        }
    }

    private static void shutdown() {
        if (dbms != null && stopped.compareAndSet(false, true)) {
            try {
                dbms.shutdown();
                System.out.println("NEO4J STOPPED");
            } catch (Throwable t) {
                System.err.println("NEO4J shutdown error " + t);
            }
            System.out.flush();
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) die(flag + " needs a value");
        return args[i];
    }

    private static void die(String msg) {
        System.err.println("NEO4J FAILED " + msg);
        System.exit(2);
    }
}
