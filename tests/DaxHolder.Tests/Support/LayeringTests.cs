using System.Reflection;

namespace DaxHolder.Tests.Support;

/// <summary>
/// Layers are projects and references go one way: daxholder (the CLI) → DaxHolder.Scenarios →
/// DaxHolder.Kernel and DaxHolder.PluginLoading → DaxHolder.Abstractions. The compiled assemblies'
/// references are read; any other edge between DaxHolder's own assemblies fails.
/// </summary>
public class LayeringTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["daxholder"] = ["DaxHolder.Scenarios"],
        ["DaxHolder.Scenarios"] = ["DaxHolder.Kernel", "DaxHolder.PluginLoading", "DaxHolder.Abstractions"],
        ["DaxHolder.Kernel"] = ["DaxHolder.Abstractions"],
        ["DaxHolder.PluginLoading"] = ["DaxHolder.Abstractions"],
        ["DaxHolder.Abstractions"] = [],
    };

    [Theory]
    [InlineData("daxholder")]
    [InlineData("DaxHolder.Scenarios")]
    [InlineData("DaxHolder.Kernel")]
    [InlineData("DaxHolder.PluginLoading")]
    [InlineData("DaxHolder.Abstractions")]
    public void EachLayer_ReferencesOnlyTheLayersBelowIt(string assembly)
    {
        var references = Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, assembly + ".dll")).GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(n => n == "daxholder" || n.StartsWith("DaxHolder.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

        references.ShouldBeSubsetOf(Allowed[assembly], $"{assembly} may reference only {string.Join(", ", Allowed[assembly])}");
    }

    [Fact]
    public void TheKernelModel_KnowsNothingOfYamlConsolesOrPluginLoading()
    {
        var references = typeof(DaxHolder.Kernel.Machine).Assembly.GetReferencedAssemblies().Select(r => r.Name).ToList();

        references.ShouldNotContain("YamlDotNet");
        references.ShouldNotContain("Spectre.Console");
        references.ShouldNotContain("System.CommandLine");
        references.ShouldNotContain("McMaster.NETCore.Plugins");
        references.ShouldNotContain("DaxHolder.PluginLoading");
    }
}
