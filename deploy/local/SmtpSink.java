import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SMTP server for the local platform's demo (bin/vigil demo): listens on 127.0.0.1, accepts every
 * message for every recipient, and keeps each as {@code <n>.eml} in a folder, with one line per message
 * (time, recipients, subject) in {@code mail.log} there. No relaying, no authentication, no TLS: it is
 * a mailbox to look into, never a relay. Run as a single source file:
 * {@code java SmtpSink.java <port> <folder>}; it needs nothing but the JDK.
 */
public final class SmtpSink {

  private static final int MAX_MESSAGE = 10 << 20;
  private static final AtomicLong COUNT = new AtomicLong();

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java SmtpSink.java <port> <folder>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    Path folder = Files.createDirectories(Path.of(args[1]));
    ExecutorService sessions = Executors.newFixedThreadPool(8);
    try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
      System.out.println("SMTP on 127.0.0.1:" + port + ", messages in " + folder);
      while (true) {
        Socket client = server.accept();
        sessions.execute(() -> serve(client, folder));
      }
    }
  }

  private static void serve(Socket client, Path folder) {
    try (client) {
      client.setSoTimeout(60_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = client.getOutputStream();
      reply(out, "220 vigil-smtp-sink ready");
      List<String> recipients = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        String verb = line.length() < 4 ? line.toUpperCase() : line.substring(0, 4).toUpperCase();
        switch (verb) {
          case "EHLO" -> reply(out, "250-vigil-smtp-sink\r\n250-8BITMIME\r\n250 SIZE " + MAX_MESSAGE);
          case "HELO" -> reply(out, "250 vigil-smtp-sink");
          case "MAIL" -> {
            recipients.clear();
            reply(out, "250 OK");
          }
          case "RCPT" -> {
            recipients.add(line.substring(line.indexOf(':') + 1).trim().replaceAll("[<>]", ""));
            reply(out, "250 OK");
          }
          case "DATA" -> {
            reply(out, "354 end with <CRLF>.<CRLF>");
            StringBuilder message = new StringBuilder();
            String subject = "";
            String l;
            while ((l = in.readLine()) != null && !l.equals(".")) {
              if (l.startsWith("..")) {
                l = l.substring(1); // dot-stuffing
              }
              if (subject.isEmpty() && l.regionMatches(true, 0, "Subject:", 0, 8)) {
                subject = l.substring(8).trim();
              }
              if (message.length() < MAX_MESSAGE) {
                message.append(l).append("\r\n");
              }
            }
            long n = COUNT.incrementAndGet();
            Files.writeString(folder.resolve(System.currentTimeMillis() + "-" + n + ".eml"), message);
            String logLine = Instant.now() + " to=" + String.join(",", recipients) + " subject=" + subject + "\n";
            synchronized (SmtpSink.class) {
              Files.writeString(folder.resolve("mail.log"), logLine, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND);
            }
            System.out.print(logLine);
            reply(out, "250 OK stored as message " + n);
          }
          case "RSET" -> {
            recipients.clear();
            reply(out, "250 OK");
          }
          case "NOOP" -> reply(out, "250 OK");
          case "QUIT" -> {
            reply(out, "221 bye");
            return;
          }
          default -> reply(out, "502 not implemented");
        }
      }
    } catch (IOException e) {
      System.err.println("session ended: " + e.getMessage());
    }
  }

  private static void reply(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
