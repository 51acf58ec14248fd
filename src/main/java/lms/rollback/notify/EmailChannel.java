package lms.rollback.notify;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/** Stakeholder email over SMTP (Angus Mail); server and credentials from the environment. */
public final class EmailChannel implements Channel {

  public static final String HOST = "LMS_SMTP_HOST";
  public static final String PORT = "LMS_SMTP_PORT";
  public static final String TLS = "LMS_SMTP_TLS";
  public static final String USER = "LMS_SMTP_USER";
  public static final String PASSWORD = "LMS_SMTP_PASSWORD";
  public static final String FROM = "LMS_SMTP_FROM";
  public static final String DEFAULT_PORT = "587";
  public static final String DEFAULT_TLS = "starttls";
  public static final String DEFAULT_FROM = "lms-rollback@localhost";
  static final String TIMEOUT_MILLIS = "10000";

  private final String recipients;
  private final Map<String, String> env;

  public EmailChannel(String recipients, Map<String, String> env) {
    this.recipients = recipients;
    this.env = env;
  }

  /** Null when the SMTP host is not configured. */
  public static String missing(Map<String, String> env) {
    return env.getOrDefault(HOST, "").isBlank() ? HOST + " is not set" : null;
  }

  @Override
  public String describe() {
    return "smtp://" + env.get(HOST) + ":" + env.getOrDefault(PORT, DEFAULT_PORT) + " to " + recipients;
  }

  @Override
  public void deliver(RenderedMessage message) throws DeliveryException {
    String tls = env.getOrDefault(TLS, DEFAULT_TLS);
    if (!tls.equals("starttls") && !tls.equals("ssl") && !tls.equals("none")) {
      throw new DeliveryException(TLS + "='" + tls + "' is not allowed; allowed: starttls, ssl, none", false);
    }
    Properties p = new Properties();
    String protocol = tls.equals("ssl") ? "smtps" : "smtp";
    p.put("mail.transport.protocol", protocol);
    p.put("mail." + protocol + ".host", env.get(HOST));
    p.put("mail." + protocol + ".port", env.getOrDefault(PORT, DEFAULT_PORT));
    p.put("mail." + protocol + ".connectiontimeout", TIMEOUT_MILLIS);
    p.put("mail." + protocol + ".timeout", TIMEOUT_MILLIS);
    p.put("mail." + protocol + ".writetimeout", TIMEOUT_MILLIS);
    if (tls.equals("starttls")) p.put("mail.smtp.starttls.required", "true");
    String user = env.get(USER);
    p.put("mail." + protocol + ".auth", String.valueOf(user != null && !user.isBlank()));
    Session session = Session.getInstance(p);
    try {
      MimeMessage mail = new MimeMessage(session);
      mail.setFrom(new InternetAddress(env.getOrDefault(FROM, DEFAULT_FROM)));
      mail.setRecipients(Message.RecipientType.TO, InternetAddress.parse(recipients));
      mail.setSubject(message.subject() == null ? "[LMS] Rollback: " + message.message() : message.subject(), StandardCharsets.UTF_8.name());
      mail.setText(message.text(), StandardCharsets.UTF_8.name());
      try (Transport t = session.getTransport(protocol)) {
        t.connect(env.get(HOST), Integer.parseInt(env.getOrDefault(PORT, DEFAULT_PORT)), user, env.get(PASSWORD));
        t.sendMessage(mail, mail.getAllRecipients());
      }
    } catch (jakarta.mail.AuthenticationFailedException e) {
      throw new DeliveryException("SMTP authentication failed for " + user + " at " + env.get(HOST), false);
    } catch (MessagingException | NumberFormatException e) {
      throw new DeliveryException("SMTP " + describe() + ": " + e.getMessage(), true);
    }
  }
}
