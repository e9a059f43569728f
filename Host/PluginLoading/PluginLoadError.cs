namespace DaxHolder.PluginLoading;

/// <summary>
/// Why a plugin folder could not be used, and what to do about it: one readable line naming the
/// plugin, where it is, the problem and the fix.
/// </summary>
/// <param name="Plugin">The plugin's name (its folder name).</param>
/// <param name="Location">The folder or file concerned.</param>
/// <param name="Problem">What is wrong.</param>
/// <param name="Fix">What to do.</param>
public sealed record PluginLoadError(string Plugin, string Location, string Problem, string Fix)
{
    /// <summary>"plugin 'X' (path): problem; fix: ...".</summary>
    public override string ToString() => $"plugin '{Plugin}' ({Location}): {Problem}. Fix: {Fix}.";
}

/// <summary>Thrown inside the loader to abandon one plugin with a readable error.</summary>
internal sealed class PluginLoadException(PluginLoadError error) : Exception(error.ToString())
{
    public PluginLoadError Error { get; } = error;
}
