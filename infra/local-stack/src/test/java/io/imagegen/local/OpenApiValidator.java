package io.imagegen.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi31;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks live HTTP exchanges against an OpenAPI 3.1 document. The whole document is the schema resource (served to
 * the validator under {@link #BASE}), and each check validates against a JSON pointer into it, so {@code $ref}s to
 * {@code #/components/...} resolve exactly as an OpenAPI tool would resolve them.
 */
final class OpenApiValidator {
  /** The IRI the document is known by inside the validator; never fetched over the network. */
  static final String BASE = "https://imagegen.local/openapi.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> DOCUMENT_FIELDS = List.of("openapi", "info", "jsonSchemaDialect", "servers",
      "paths", "webhooks", "components", "security", "tags", "externalDocs");
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace");

  /** A node of the document and where it sits, as JSON pointer tokens. */
  private record Located(JsonNode node, List<String> tokens) {
    Located child(String token) {
      List<String> next = new ArrayList<>(tokens);
      next.add(token);
      return new Located(node.path(token), List.copyOf(next));
    }

    String pointer() {
      StringBuilder out = new StringBuilder();
      tokens.forEach(t -> out.append('/').append(t.replace("~", "~0").replace("/", "~1")));
      return out.toString();
    }
  }

  private final JsonNode document;
  private final JsonSchemaFactory factory;
  private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
      .formatAssertionsEnabled(true)
      .pathType(PathType.JSON_POINTER)
      .build();
  private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

  OpenApiValidator(String documentJson) {
    this.document = parse(documentJson);
    // The OpenAPI 3.1 dialect, plus the document's own top-level fields, which are not schema keywords.
    JsonMetaSchema dialect = JsonMetaSchema.builder(OpenApi31.getInstance())
        .keywords(DOCUMENT_FIELDS.stream().map(NonValidationKeyword::new).toList())
        .build();
    this.factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, builder -> builder
        .metaSchema(dialect)
        .defaultMetaSchemaIri(dialect.getIri())
        .schemaLoaders(loaders -> loaders.schemas(Map.of(BASE, documentJson))));
  }

  JsonNode document() {
    return document;
  }

  /** Every documented operation as {@code "METHOD /template"}. */
  Set<String> operations() {
    Set<String> out = new TreeSet<>();
    document.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(m -> {
      if (METHODS.contains(m)) {
        out.add(m.toUpperCase(Locale.ROOT) + " " + path.getKey());
      }
    }));
    return out;
  }

  /** Every {@code $ref} in the document that does not point at a node of it. */
  List<String> unresolvedRefs() {
    List<String> out = new ArrayList<>();
    collectRefs(document, out);
    return out;
  }

  /**
   * The documented path template serving {@code method concretePath} (a literal segment beats a template one), or
   * empty when the document does not describe it.
   */
  Optional<String> template(String method, String concretePath) {
    String path = concretePath.replaceFirst("\\?.*$", "");
    List<String> matches = new ArrayList<>();
    document.path("paths").fields().forEachRemaining(entry -> {
      String regex = "^" + Pattern.quote(entry.getKey()).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q") + "$";
      if (Pattern.matches(regex, path) && entry.getValue().has(method.toLowerCase(Locale.ROOT))) {
        matches.add(entry.getKey());
      }
    });
    return matches.stream().min(Comparator.comparingLong(t -> t.chars().filter(c -> c == '{').count()));
  }

  /**
   * Everything wrong with one response: undocumented operation, status or media type, a missing required header,
   * or a body (JSON media types only) that does not validate against the documented schema.
   */
  List<String> responseProblems(String method, String concretePath, int status, HttpHeaders headers, String body) {
    List<String> problems = new ArrayList<>();
    Optional<Located> found = responseFor(method, concretePath, status, problems);
    if (found.isEmpty()) {
      return problems;
    }
    Located response = found.get();
    String contentType = headers.firstValue("Content-Type").map(OpenApiValidator::mediaType).orElse(null);
    Located content = response.child("content");
    if (contentType == null) {
      if (!content.node().isMissingNode()) {
        problems.add(where(method, concretePath, status) + " has no Content-Type");
      }
    } else {
      Optional<String> documented = documentedMediaType(content.node(), contentType);
      if (documented.isEmpty()) {
        problems.add(where(method, concretePath, status) + ": media type " + contentType + " is not documented");
      } else if (contentType.endsWith("json")) {
        problems.addAll(validate(content.child(documented.get()).child("schema"), body));
      }
    }
    Located documentedHeaders = response.child("headers");
    documentedHeaders.node().fieldNames().forEachRemaining(name -> {
      Located header = resolve(documentedHeaders.child(name));
      Optional<String> value = headers.firstValue(name);
      if (value.isEmpty()) {
        if (header.node().path("required").asBoolean(false)) {
          problems.add(where(method, concretePath, status) + ": required header " + name + " is missing");
        }
      } else if (header.node().has("schema")) {
        problems.addAll(validate(header.child("schema"), TextNode.valueOf(value.get())).stream()
            .map(p -> "header " + name + ": " + p).toList());
      }
    });
    return problems;
  }

  /** Validates one server-sent event's data against the event schema documented under {@code x-events}. */
  List<String> eventProblems(String method, String concretePath, String event, String data) {
    List<String> problems = new ArrayList<>();
    Optional<Located> found = responseFor(method, concretePath, 200, problems);
    if (found.isEmpty()) {
      return problems;
    }
    Located schema = found.get().child("content").child("text/event-stream").child("x-events").child(event);
    if (schema.node().isMissingNode()) {
      return List.of("event '" + event + "' is not documented for " + method + " " + concretePath);
    }
    return validate(schema, data);
  }

  /** Validates a request body against the operation's documented {@code application/json} request schema. */
  List<String> requestProblems(String method, String concretePath, String body) {
    Optional<String> template = template(method, concretePath);
    if (template.isEmpty()) {
      return List.of(method + " " + concretePath + " is not documented");
    }
    Located requestBody = resolve(new Located(document, List.of()).child("paths").child(template.get())
        .child(method.toLowerCase(Locale.ROOT)).child("requestBody"));
    Located schema = requestBody.child("content").child("application/json").child("schema");
    if (schema.node().isMissingNode()) {
      return List.of(method + " " + template.get() + " documents no JSON request body");
    }
    return validate(schema, body);
  }

  /** Validates {@code json} against {@code #/components/schemas/{name}}. */
  List<String> schemaProblems(String name, String json) {
    return validate(new Located(document, List.of()).child("components").child("schemas").child(name), json);
  }

  private Optional<Located> responseFor(String method, String concretePath, int status, List<String> problems) {
    Optional<String> template = template(method, concretePath);
    if (template.isEmpty()) {
      problems.add(method + " " + concretePath + " is not documented");
      return Optional.empty();
    }
    Located responses = new Located(document, List.of()).child("paths").child(template.get())
        .child(method.toLowerCase(Locale.ROOT)).child("responses");
    Located response = responses.child(Integer.toString(status));
    if (response.node().isMissingNode()) {
      problems.add(where(method, template.get(), status) + " is not documented (documented: "
          + iterable(responses.node().fieldNames()) + ")");
      return Optional.empty();
    }
    return Optional.of(resolve(response));
  }

  private List<String> validate(Located schema, String json) {
    JsonNode instance;
    try {
      instance = JSON.readTree(json);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return List.of("not JSON: " + e.getMessage() + " in " + abbreviate(json));
    }
    if (instance == null || instance.isMissingNode()) {
      return List.of("empty body where " + schema.pointer() + " expects JSON");
    }
    return validate(schema, instance);
  }

  private List<String> validate(Located schema, JsonNode instance) {
    JsonSchema compiled = schemas.computeIfAbsent(schema.pointer(), pointer -> {
      JsonNodePath fragment = new JsonNodePath(PathType.JSON_POINTER);
      for (String token : schema.tokens()) {
        fragment = fragment.append(token);
      }
      return factory.getSchema(new SchemaLocation(AbsoluteIri.of(BASE), fragment), config);
    });
    Set<ValidationMessage> messages = compiled.validate(instance);
    return messages.stream()
        .map(m -> m.getMessage() + " [schema " + m.getSchemaLocation() + "] in " + abbreviate(instance.toString()))
        .sorted()
        .toList();
  }

  /** Follows local {@code $ref}s (to responses, headers, request bodies) to the node they name. */
  private Located resolve(Located located) {
    Located current = located;
    for (int hops = 0; hops < 10 && current.node().has("$ref"); hops++) {
      String ref = current.node().get("$ref").asText();
      if (!ref.startsWith("#/")) {
        throw new IllegalStateException("only local $refs are supported, got " + ref);
      }
      Located next = new Located(document, List.of());
      for (String token : ref.substring(2).split("/")) {
        next = next.child(token.replace("~1", "/").replace("~0", "~"));
      }
      if (next.node().isMissingNode()) {
        throw new IllegalStateException("unresolvable $ref " + ref);
      }
      current = next;
    }
    return current;
  }

  private void collectRefs(JsonNode node, List<String> out) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null && ref.isTextual()
          && (!ref.asText().startsWith("#/") || document.at(ref.asText().substring(1)).isMissingNode())) {
        out.add(ref.asText());
      }
      node.elements().forEachRemaining(child -> collectRefs(child, out));
    } else if (node.isArray()) {
      node.elements().forEachRemaining(child -> collectRefs(child, out));
    }
  }

  private static Optional<String> documentedMediaType(JsonNode content, String actual) {
    if (content.has(actual)) {
      return Optional.of(actual);
    }
    String range = actual.substring(0, actual.indexOf('/') + 1) + "*";
    return content.has(range) ? Optional.of(range) : Optional.empty();
  }

  private static String mediaType(String header) {
    int semicolon = header.indexOf(';');
    return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private static String where(String method, String path, int status) {
    return method + " " + path + " " + status;
  }

  private static List<String> iterable(Iterator<String> names) {
    List<String> out = new ArrayList<>();
    names.forEachRemaining(out::add);
    return out;
  }

  private static String abbreviate(String text) {
    return text.length() <= 600 ? text : text.substring(0, 600) + "…";
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the OpenAPI document is not JSON: " + e.getMessage(), e);
    }
  }
}
