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
    /// <summary>
    /// The filesystem types the caller needs, or null (the default) for every plugin. With a
    /// list, a plugin whose <c>DaxHolderPlugin(FileSystems = ...)</c> declaration names none of
    /// them is not loaded at all (no code of it runs, so a broken one does not fail the caller);
    /// a plugin without a declaration is always loaded. Plugins left unloaded still take part in
    /// clash detection by what they declare. When a needed type is neither declared nor
    /// registered by any plugin, the rest are loaded too, so the caller's "no plugin provides"
    /// error lists every filesystem type there is.
    /// </summary>
    public IReadOnlyCollection<string>? FileSystems { get; init; }

    /// <summary>
    /// Whether each plugin gets a collectible context that <see cref="LoadedPlugin.Unload"/> frees
    /// (the default). A process that runs one command and exits passes false: the runtime neither
    /// uses a collectible assembly's ReadyToRun code nor compiles its methods in tiers (each is
    /// compiled fully optimized when first called), which made loading and running a plugin's
    /// code the larger part of a cold run.
    /// </summary>
    public bool Unloadable { get; init; } = true;

    /// <summary>Only <paramref name="sources"/>, no overrides.</summary>
    public PluginLoadOptions(IReadOnlyList<PluginSource> sources)
        : this(sources, [])
    {
    }
}
