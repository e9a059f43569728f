using DaxHolder.PluginLoading;

namespace DaxHolder.Tests.PluginLoading;

/// <summary>Plugin sources for tests: never the machine's DAXHOLDER_PLUGINS.</summary>
internal static class Sources
{
    /// <summary>Only the given folders (as --plugins would name them), without the shipped plugins.</summary>
    public static IReadOnlyList<PluginSource> Only(params string[] dirs) =>
        [.. dirs.Select(d => new PluginSource(d, "--plugins", MustExist: true))];

    /// <summary>The shipped plugins beside the test assembly, then the given folders.</summary>
    public static IReadOnlyList<PluginSource> ShippedAnd(params string[] dirs) =>
        PluginSource.Resolve(AppContext.BaseDirectory, environmentValue: null, dirs);
}
