namespace DaxHolder.PluginLoading;

/// <summary>How to load plugins: where to look, and which plugin wins where two provide one filesystem type.</summary>
/// <param name="Sources">The directories to search, in search order.</param>
/// <param name="Overrides">
/// Names of plugins that win: where a plugin named here and another plugin both provide a
/// filesystem type, or two plugins share this name (a user's build of a shipped plugin), the one
/// named here from the latest source is loaded and the others are set aside. Without an
/// override, such a clash is an error naming both plugins.
/// </param>
public sealed record PluginLoadOptions(IReadOnlyList<PluginSource> Sources, IReadOnlyList<string> Overrides)
{
    /// <summary>Only <paramref name="sources"/>, no overrides.</summary>
    public PluginLoadOptions(IReadOnlyList<PluginSource> sources)
        : this(sources, [])
    {
    }
}
