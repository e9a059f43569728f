using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DaxHolder.Cli;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Json;

/// <summary>
/// The JSON outputs of run, compare, check and plugins against their schemas under docs/schemas/,
/// on real outputs; and the schemas catch a wrong shape.
/// </summary>
public sealed partial class JsonSchemaTests
{
    private static readonly string Demo = Path.Combine(ScenarioHarness.ScenariosDirectory, "demo.yaml");

    private static readonly Lazy<string> DemoRun = new(() => CliRun.Run("run", Demo, "--format", "json").Out);

    public static TheoryData<string> ScenarioFiles()
    {
        var files = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(ScenarioHarness.ScenariosDirectory, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            files.Add(Path.GetRelativePath(ScenarioHarness.ScenariosDirectory, file));
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(ScenarioFiles))]
    public void Run_EveryShippedScenario_MatchesTheRunSchema(string scenario)
    {
        var (exit, output, error) = CliRun.Run("run", Path.Combine(ScenarioHarness.ScenariosDirectory, scenario), "--format", "json");

        error.ShouldBeEmpty();
        exit.ShouldBeOneOf(ExitCodes.Ok, ExitCodes.DecisionsDiffer);
        JsonSchemas.ShouldBeValid("run", output);
        SnakeCaseNames(output).ShouldBeEmpty();
    }

    [Fact]
    public void Run_StartsWithTheSchemaVersion_AndWritesPfnsAndAddressesAsHexStrings()
    {
        using var json = JsonDocument.Parse(DemoRun.Value);
        var root = json.RootElement;
        root.EnumerateObject().First().Name.ShouldBe("schemaVersion");
        root.GetProperty("schemaVersion").GetInt32().ShouldBe(JsonOutput.SchemaVersion);

        var decisions = root.GetProperty("runs")[0].GetProperty("steps").EnumerateArray().SelectMany(s => s.GetProperty("decisions").EnumerateArray()).ToList();
        decisions.First(d => d.GetProperty("kind").GetString() == "poisoned").GetProperty("pfn").GetString().ShouldBe("0x100218");
        decisions.First(d => d.GetProperty("kind").GetString() == "collected").GetProperty("address").GetString().ShouldBe("0x7f0000000000");
        decisions.First(d => d.GetProperty("kind").GetString() == "holder").GetProperty("offset").GetString().ShouldBe("0x18000");
        decisions.ShouldContain(d => d.GetProperty("kind").GetString() == "rmap_query");
    }

    [Fact]
    public void Hex_KeepsEveryBitOfA64BitValue()
    {
        JsonOutput.Hex(0).ShouldBe("0x0");
        JsonOutput.Hex(ulong.MaxValue).ShouldBe("0xffffffffffffffff");
        JsonOutput.Hex((1UL << 53) + 1).ShouldBe("0x20000000000001");
        Convert.ToUInt64(JsonOutput.Hex((1UL << 53) + 1)[2..], 16).ShouldBe((1UL << 53) + 1);
    }

    [Theory]
    [InlineData("TimedOut", "timed_out")]
    [InlineData("ContractViolation", "contract_violation")]
    [InlineData("Threw", "threw")]
    public void SnakeCase_IsHowKindsFromEnumsAreSpelled(string name, string expected) =>
        JsonOutput.SnakeCase(name).ShouldBe(expected);

    [Fact]
    public void Schema_RejectsAPfnWrittenAsANumber()
    {
        var run = JsonNode.Parse(DemoRun.Value)!;
        var poisoned = Decisions(run).First(d => (string?)d["kind"] == "poisoned");
        poisoned["pfn"] = 1049112;

        var errors = JsonSchemas.Errors("run", run.ToJsonString());

        errors.ShouldNotBeEmpty();
        errors.ShouldContain(e => e.Contains("/pfn", StringComparison.Ordinal));
    }

    [Fact]
    public void Schema_RejectsAnUnknownDecisionKind_AMisspelledField_AndAMissingVersion()
    {
        JsonSchemas.Errors("run", Mutated(run => Decisions(run).First(d => (string?)d["kind"] == "rmap_query")["kind"] = "rmap-query")).ShouldNotBeEmpty();
        JsonSchemas.Errors("run", Mutated(run =>
        {
            var signal = Decisions(run).First(d => (string?)d["kind"] == "signal").AsObject();
            signal["siAddr"] = signal["si_addr"]!.DeepClone();
            signal.Remove("si_addr");
        })).ShouldNotBeEmpty();
        JsonSchemas.Errors("run", Mutated(run => run.AsObject().Remove("schemaVersion"))).ShouldNotBeEmpty();
        JsonSchemas.Errors("run", Mutated(_ => { })).ShouldBeEmpty();
    }

    [Fact]
    public void Compare_CarriesTheDifferences_AndMatchesTheCompareSchema()
    {
        var (exit, output, _) = CliRun.Run("compare", Demo, "--vary", "filesystem.mkfs.reflink=1,0", "--format", "json");

        exit.ShouldBe(ExitCodes.Ok);
        JsonSchemas.ShouldBeValid("compare", output);
        SnakeCaseNames(output).ShouldBeEmpty();
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        root.GetProperty("cells").GetArrayLength().ShouldBe(2);
        root.GetProperty("cells")[1].GetProperty("settings").GetProperty("filesystem.mkfs.reflink").GetString().ShouldBe("0");
        var differences = root.GetProperty("differences").EnumerateArray().ToList();
        differences.ShouldNotBeEmpty();
        differences.ShouldAllBe(d => d.GetProperty("per_cell").GetArrayLength() == 2);
        (differences.Count + root.GetProperty("same").GetArrayLength()).ShouldBe(root.GetProperty("rows").GetInt32());
        root.GetProperty("runs").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public void Check_MatchesTheCheckSchema_ForAMatchAndForADifference()
    {
        var (exit, output, _) = CliRun.Run("check", Demo, "--format", "json");

        exit.ShouldBe(ExitCodes.Ok);
        JsonSchemas.ShouldBeValid("check", output);
        using (var json = JsonDocument.Parse(output))
        {
            var scenario = json.RootElement.GetProperty("scenarios")[0];
            scenario.GetProperty("matches").GetBoolean().ShouldBeTrue();
            scenario.GetProperty("diff").ValueKind.ShouldBe(JsonValueKind.Null);
            json.RootElement.GetProperty("totals").GetProperty("match").GetInt32().ShouldBe(1);
        }

        var dir = Directory.CreateTempSubdirectory("daxholder-check-json-").FullName;
        try
        {
            var copy = Path.Combine(dir, "demo.yaml");
            File.Copy(Demo, copy);
            var (differs, diffOutput, _) = CliRun.Run("check", copy, "--format", "json");

            differs.ShouldBe(ExitCodes.DecisionsDiffer);
            JsonSchemas.ShouldBeValid("check", diffOutput);
            using var json = JsonDocument.Parse(diffOutput);
            json.RootElement.GetProperty("scenarios")[0].GetProperty("diff").GetString().ShouldStartWith("--- /dev/null");
            json.RootElement.GetProperty("totals").GetProperty("differ").GetInt32().ShouldBe(1);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Plugins_MatchesThePluginsSchema_AndListsTheShippedFilesystems()
    {
        var (exit, output, _) = CliRun.Run("plugins", "--format", "json");

        exit.ShouldBe(ExitCodes.Ok);
        JsonSchemas.ShouldBeValid("plugins", output);
        using var json = JsonDocument.Parse(output);
        var types = json.RootElement.GetProperty("plugins").EnumerateArray().SelectMany(p => p.GetProperty("filesystems").EnumerateArray().Select(t => t.GetString())).ToList();
        types.ShouldContain("xfs");
        types.ShouldContain("ext4");
        types.ShouldContain("erofs");
    }

    [Fact]
    public void Schema_RejectsPluginsWithTheFilesystemsAsOneString()
    {
        var plugins = JsonNode.Parse(CliRun.Run("plugins", "--format", "json").Out)!;
        plugins["plugins"]![0]!["filesystems"] = "xfs";

        JsonSchemas.Errors("plugins", plugins.ToJsonString()).ShouldNotBeEmpty();
    }

    private static string Mutated(Action<JsonNode> change)
    {
        var run = JsonNode.Parse(DemoRun.Value)!;
        change(run);
        return run.ToJsonString();
    }

    private static IEnumerable<JsonNode> Decisions(JsonNode run) =>
        run["runs"]!.AsArray().SelectMany(r => r!["steps"]!.AsArray()).SelectMany(s => s!["decisions"]!.AsArray()).Select(d => d!);

    /// <summary>Every property name that is not snake_case, except schemaVersion and the scenario paths of a cell's settings.</summary>
    private static List<string> SnakeCaseNames(string json)
    {
        var bad = new List<string>();
        Walk(JsonNode.Parse(json), bad);
        return bad;
    }

    private static void Walk(JsonNode? node, List<string> bad)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o)
                {
                    if (!SnakeCase().IsMatch(name) && name != "schemaVersion")
                    {
                        bad.Add(name);
                    }

                    if (name is not ("cell" or "settings"))
                    {
                        Walk(value, bad);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Walk(item, bad);
                }

                break;
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();
}
