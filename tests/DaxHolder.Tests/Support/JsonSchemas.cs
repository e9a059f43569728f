using System.Text.Json;
using Json.Schema;

namespace DaxHolder.Tests.Support;

/// <summary>The JSON Schemas under docs/schemas/, loaded once, and validation of an output against one of them.</summary>
internal static class JsonSchemas
{
    private static readonly Lazy<Dictionary<string, JsonSchema>> Loaded = new(Load);

    public static string Directory => Path.Combine(ScenarioHarness.RepoRoot, "docs", "schemas");

    /// <summary>
    /// The errors of <paramref name="json"/> against <c>&lt;name&gt;.schema.json</c>, one line each
    /// ("instance location: message"), or none when it is valid.
    /// </summary>
    public static IReadOnlyList<string> Errors(string name, string json)
    {
        using var document = JsonDocument.Parse(json);
        var results = Loaded.Value[name].Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        var errors = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
            .ToList();
        return errors.Count > 0 ? errors : ["(invalid, no detail)"];
    }

    /// <summary>Asserts that <paramref name="json"/> is valid against the schema, listing the first errors when not.</summary>
    public static void ShouldBeValid(string name, string json)
    {
        var errors = Errors(name, json);
        errors.ShouldBeEmpty($"{name}.schema.json: {string.Join("\n", errors.Take(20))}");
    }

    private static Dictionary<string, JsonSchema> Load()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var schemas = new Dictionary<string, JsonSchema>(StringComparer.Ordinal);

        // run.schema.json first: the others refer to its definitions.
        foreach (var name in new[] { "run", "compare", "check", "plugins" })
        {
            var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(Directory, name + ".schema.json")), options);
            options.SchemaRegistry.Register(schema);
            schemas[name] = schema;
        }

        return schemas;
    }
}
