using Microsoft.Extensions.DependencyInjection;

namespace DaxHolder.Abstractions.Plugins;

/// <summary>
/// A plugin's entry point. The host finds it through <see cref="DaxHolderPluginAttribute"/>,
/// creates it with a public parameterless constructor, and calls <see cref="ConfigureServices"/>
/// once; the plugin registers its <see cref="Fs.IFileSystemType"/>(s) and whatever they need.
/// Only Abstractions types cross the boundary.
/// </summary>
public interface IDaxHolderPlugin
{
    /// <summary>Register the plugin's filesystem types, e.g. <c>services.AddSingleton&lt;IFileSystemType, XfsType&gt;()</c>.</summary>
    void ConfigureServices(IServiceCollection services);
}

/// <summary>
/// Names a plugin assembly's entry point, the plugin's name and the filesystem types it provides:
/// <c>[assembly: DaxHolderPlugin(typeof(XfsPlugin), Name = "Xfs", FileSystems = ["xfs"])]</c>.
/// The plugin's version is its assembly's informational version (the project's <c>Version</c>).
/// </summary>
/// <param name="entryPoint">A public class implementing <see cref="IDaxHolderPlugin"/>.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class DaxHolderPluginAttribute(Type entryPoint) : Attribute
{
    /// <summary>The entry-point type.</summary>
    public Type EntryPoint { get; } = entryPoint;

    /// <summary>
    /// The plugin's name, as reports and <c>--plugin-override</c> give it; without one, the
    /// assembly's simple name. Never the folder the plugin was dropped into.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The names of the filesystem types the plugin registers in
    /// <see cref="IDaxHolderPlugin.ConfigureServices"/> (each <see cref="Fs.IFileSystemType.Name"/>,
    /// as <c>mount -t</c> takes it), e.g. <c>FileSystems = ["xfs"]</c>. The host reads it from the
    /// assembly's metadata without loading the plugin, so a run loads only the plugins its
    /// scenario's filesystem types need. Without it (null) the plugin is loaded for every run.
    /// When the plugin is loaded, a declaration that names other types than it registers is a
    /// plugin error.
    /// </summary>
    public string[]? FileSystems { get; set; }
}

/// <summary>The contract's version: a plugin binds to a host of the same major.</summary>
public static class DaxHolderContract
{
    /// <summary>The contract major this assembly implements (its AssemblyVersion is Major.0.0.0).</summary>
    public static int Major => typeof(DaxHolderContract).Assembly.GetName().Version!.Major;

    /// <summary>The contract assembly's simple name, which plugins reference.</summary>
    public const string AssemblyName = "DaxHolder.Abstractions";
}
