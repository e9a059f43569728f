using DaxHolder.Scenarios.Language;

namespace DaxHolder.Cli;

/// <summary>The demo: scenarios/demo.yaml, built into daxholder so that it runs from anywhere.</summary>
internal static class DemoScenario
{
    public const string Path = "scenarios/demo.yaml";

    public static ScenarioDocument Load()
    {
        using var stream = typeof(DemoScenario).Assembly.GetManifestResourceStream("demo.yaml")
            ?? throw new InvalidOperationException("the demo scenario is not embedded in daxholder");
        using var reader = new StreamReader(stream);
        return ScenarioDocument.FromText(Path, reader.ReadToEnd());
    }
}
