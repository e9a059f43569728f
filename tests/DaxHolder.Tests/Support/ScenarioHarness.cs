using DaxHolder.PluginLoading;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;

namespace DaxHolder.Tests.Support;

/// <summary>Runs scenarios in process on the shipped plugins, and finds the repository's scenarios/.</summary>
internal static class ScenarioHarness
{
    private static readonly Lazy<PluginCatalog> Catalog = new(() => PluginLoader.Load([new PluginSource(Path.Combine(AppContext.BaseDirectory, "plugins"), "plugins beside the tests", MustExist: true)]));

    /// <summary>The repository root: the nearest directory above the test assembly holding DaxHolder.slnx.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ScenariosDirectory => Path.Combine(RepoRoot, "scenarios");

    /// <summary>The shipped plugins beside the tests, loaded once.</summary>
    public static PluginCatalog Plugins => Catalog.Value;

    /// <summary>Every cell of a scenario given as text.</summary>
    public static IReadOnlyList<RunReport> Run(string yaml, params string[] settings)
    {
        var document = ScenarioDocument.FromText("test.yaml", yaml);
        return new ScenarioRunner(Catalog.Value).RunAll(document, document.Cells([.. settings.Select(ScenarioSetting.Parse)]));
    }

    /// <summary>One cell of a scenario file.</summary>
    public static RunReport RunFile(string file, IReadOnlyList<ScenarioSetting> cell) =>
        new ScenarioRunner(Catalog.Value).Run(ScenarioDocument.Load(file), cell);

    /// <summary>The error a scenario given as text gets.</summary>
    public static ScenarioException Error(string yaml, params string[] settings) =>
        Should.Throw<ScenarioException>(() => Run(yaml, settings));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DaxHolder.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("no DaxHolder.slnx above " + AppContext.BaseDirectory);
    }
}
