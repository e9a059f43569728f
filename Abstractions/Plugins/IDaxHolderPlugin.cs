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
/// Names a plugin assembly's entry point and the plugin's name:
/// <c>[assembly: DaxHolderPlugin(typeof(XfsPlugin), Name = "Xfs")]</c>. The plugin's version is
/// its assembly's informational version (the project's <c>Version</c>).
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
}

/// <summary>The contract's version: a plugin binds to a host of the same major.</summary>
public static class DaxHolderContract
{
    /// <summary>The contract major this assembly implements (its AssemblyVersion is Major.0.0.0).</summary>
    public static int Major => typeof(DaxHolderContract).Assembly.GetName().Version!.Major;

    /// <summary>The contract assembly's simple name, which plugins reference.</summary>
    public const string AssemblyName = "DaxHolder.Abstractions";
}
