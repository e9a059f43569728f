namespace DaxHolder.Kernel.Modules;

/// <summary>
/// Who a plugin is, as the kernel knows a module by its name and version (struct module's name
/// and version): what the plugin declares, never the folder it was found in.
/// </summary>
/// <param name="Name">The plugin's declared name, e.g. "Xfs".</param>
/// <param name="Version">Its version, e.g. "0.1.0".</param>
internal sealed record ModuleIdentity(string Name, string Version)
{
    /// <summary>"plugin 'Xfs' 0.1.0".</summary>
    public override string ToString() => $"plugin '{Name}' {Version}";
}
