using System.Reflection;
using System.Text.Json;
using System.Xml.Linq;
using DaxHolder.Abstractions.Plugins;
using DaxHolder.Cli;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Packaging;

/// <summary>
/// The daxholder-plugin template (templates/content/daxholder-plugin) against this repository,
/// without packing: its plugin compiles against the current contract and, run by the current host,
/// decides exactly what the template's approved file says (so a change to the model that moves
/// those decisions shows here, not first in a plugin author's project); and it references the
/// versions this repository packs. .ci/pack-smoke goes the whole way through the packages.
/// </summary>
public sealed class PluginTemplateTests : IDisposable
{
    private static readonly string Template = Path.Combine(ScenarioHarness.RepoRoot, "templates", "content", "daxholder-plugin");
    private readonly FixturePlugins fixtures = new();

    public void Dispose() => fixtures.Dispose();

    [Fact]
    public void TheTemplatePlugin_RunsItsScenario_AsItsApprovedFileSays()
    {
        string[] sources =
        [
            .. Directory.GetFiles(Path.Combine(Template, "src", "MyFs"), "*.cs").Order(StringComparer.Ordinal).Select(File.ReadAllText),
            // What ImplicitUsings gives the template's project, and the version its csproj sets.
            "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;",
            "[assembly: System.Reflection.AssemblyInformationalVersion(\"0.1.0\")]",
        ];
        var folder = fixtures.Compile("MyFs", "MyFs", sources, FixturePlugins.ContractPath, FixturePlugins.DiAbstractionsPath);

        var (exit, output, error) = CliRun.Run("run", Path.Combine(Template, "scenarios", "poison.yaml"), "--plugins", folder);

        error.ShouldBeEmpty();
        exit.ShouldBe(ExitCodes.Ok);
        var approved = File.ReadAllText(Path.Combine(Template, "tests", "MyFs.Tests", "ScenarioTests.MyFsPoison_DecisionsMatchApproved.approved.txt"));
        output.Replace("\r\n", "\n", StringComparison.Ordinal).ShouldBe(approved,
            "the host now decides otherwise for the template's scenario: check the difference and update the template's approved file");
    }

    [Fact]
    public void TheTemplate_ReferencesTheContractAndToolVersionsThisRepositoryPacks()
    {
        var contract = InformationalVersion(typeof(IDaxHolderPlugin).Assembly);
        var tool = InformationalVersion(typeof(ExitCodes).Assembly);
        var references = TemplatePackageReferences().ToList();

        references.Where(r => r.Id == "DaxHolder.Abstractions").Select(r => r.Version).ShouldBe([contract, contract], "the plugin and its tests reference the contract package pack writes");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Template, ".config", "dotnet-tools.json")));
        manifest.RootElement.GetProperty("tools").GetProperty("daxholder.cli").GetProperty("version").GetString().ShouldBe(tool);
    }

    [Fact]
    public void TheTemplate_UsesThePackageVersionsTheRepositoryRestores()
    {
        var central = XDocument.Load(Path.Combine(ScenarioHarness.RepoRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion").ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);

        foreach (var (id, version, project) in TemplatePackageReferences().Where(r => central.ContainsKey(r.Id)))
        {
            version.ShouldBe(central[id], $"{project}: {id}");
        }
    }

    private static IEnumerable<(string Id, string Version, string Project)> TemplatePackageReferences() =>
        Directory.GetFiles(Template, "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(project => XDocument.Load(project).Descendants("PackageReference")
                .Select(r => ((string)r.Attribute("Include")!, (string?)r.Attribute("Version") ?? "(none)", Path.GetFileName(project))));

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
}
