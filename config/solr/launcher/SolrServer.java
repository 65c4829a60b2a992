// Starts a real Apache Solr 9 server (Solr's own JettySolrRunner) on 127.0.0.1.
// Run with Java's single-file source launcher (java -cp 'lib/*' SolrServer.java SOLR_HOME PORT), or compiled
// once with javac, as bin/cim does (java -cp 'lib/*:classes' SolrServer SOLR_HOME PORT)
// It stops cleanly on SIGTERM/SIGINT (shutdown hook) and prints one "ready" line once Solr serves.
import java.nio.file.Path;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

public class SolrServer {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("uso: java -cp 'lib/*' SolrServer.java SOLR_HOME PUERTO");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        System.setProperty("jetty.host", "127.0.0.1");
        System.setProperty("host", "127.0.0.1");
        JettyConfig config = JettyConfig.builder().setContext("/solr").setPort(port).stopAtShutdown(true).build();
        JettySolrRunner solr = new JettySolrRunner(home.toString(), config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try { solr.stop(); } catch (Exception e) { e.printStackTrace(); }
        }));
        solr.start();
        System.out.println("ready " + solr.getBaseUrl());
        Thread.currentThread().join();
    }
}
