using System.Diagnostics.CodeAnalysis;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli;

/// <summary>Gives commands the console they write to (so tests can capture it); everything else is created by type.</summary>
internal sealed class Registrar(IAnsiConsole console) : ITypeRegistrar
{
    private readonly Dictionary<Type, List<Func<object>>> _factories = [];

    public ITypeResolver Build() => new Resolver(this);

    public void Register(Type service, Type implementation) => Add(service, () => Create(implementation));

    public void RegisterInstance(Type service, object implementation) => Add(service, () => implementation);

    public void RegisterLazy(Type service, Func<object> factory) => Add(service, factory);

    private void Add(Type service, Func<object> factory)
    {
        if (!_factories.TryGetValue(service, out var list))
        {
            _factories[service] = list = [];
        }

        list.Add(factory);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The types Spectre.Console.Cli asks for are in Backprop.Cli and Spectre.Console.Cli, which the project roots whole (TrimmerRootAssembly).")]
    private object Create(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var arguments = constructor.GetParameters().Select(p => Resolve(p.ParameterType)).ToArray();
        return constructor.Invoke(arguments);
    }

    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Spectre.Console.Cli asks for sequences of its interfaces only: arrays of reference types, whose code NativeAOT shares.")]
    private object Resolve(Type type)
    {
        if (type == typeof(IAnsiConsole))
        {
            return console;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
        {
            var element = type.GetGenericArguments()[0];
            var factories = _factories.GetValueOrDefault(element) ?? [];
            var array = Array.CreateInstance(element, factories.Count);
            for (var i = 0; i < factories.Count; i++)
            {
                array.SetValue(factories[i](), i);
            }

            return array;
        }

        return _factories.TryGetValue(type, out var list) ? list[^1]() : Create(type);
    }

    private sealed class Resolver(Registrar registrar) : ITypeResolver
    {
        public object? Resolve(Type? type) => type is null ? null : registrar.Resolve(type);
    }
}
