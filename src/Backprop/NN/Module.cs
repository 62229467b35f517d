using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text;
using Backprop.Kernels;

namespace Backprop.NN;

/// <summary>
/// The base of every layer and model: it owns parameters, buffers and child modules under names, so that
/// <see cref="NamedParameters"/> and <see cref="StateDict"/> give PyTorch's dotted keys ("0.weight").
/// Fields of type <see cref="Module"/> or <see cref="Parameter"/> are found without registration (by
/// reflection, once per type), named by the field in snake_case: <c>_hiddenLayer</c> and a property
/// <c>HiddenLayer { get; }</c> both become "hidden_layer". <see cref="RegisterModule{T}"/>,
/// <see cref="RegisterParameter"/> and <see cref="RegisterBuffer"/> register explicitly, under any name.
/// Derive from <see cref="Module{TInput, TOutput}"/> (or the two- and three-input forms) to write Forward.
/// </summary>
[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields)]
public abstract class Module
{
    private static readonly ConcurrentDictionary<Type, FieldInfo[]> s_fields = new();

    private readonly List<KeyValuePair<string, Parameter>> _parameters = [];
    private readonly List<KeyValuePair<string, Module>> _children = [];
    private readonly List<(string Name, Tensor? Tensor, bool Persistent)> _buffers = [];

    /// <summary>True in training mode (the default); false after <see cref="ModuleExtensions.Eval{T}"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The child modules, in registration order (registered ones, then fields), with their names.</summary>
    public IReadOnlyList<KeyValuePair<string, Module>> Children => [.. NamedChildren()];

    /// <summary>Every parameter of this module and its descendants, depth first.</summary>
    /// <param name="recurse">Include the descendants' (true) or only this module's own.</param>
    /// <returns>The parameters.</returns>
    public IEnumerable<Parameter> Parameters(bool recurse = true)
    {
        foreach (var (_, p) in NamedParameters(recurse))
        {
            yield return p;
        }
    }

    /// <summary>Every parameter with its dotted name ("0.weight", "encoder.1.bias"), each once even if shared.</summary>
    /// <param name="recurse">Include the descendants' (true) or only this module's own.</param>
    /// <returns>The named parameters.</returns>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(bool recurse = true)
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in recurse ? NamedModules() : [(string.Empty, this)])
        {
            foreach (var (name, p) in module.OwnParameters())
            {
                if (seen.Add(p))
                {
                    yield return (Join(prefix, name), p);
                }
            }
        }
    }

    /// <summary>Every buffer (state that is saved but not learned, like BatchNorm's running mean) with its dotted name.</summary>
    /// <param name="recurse">Include the descendants' (true) or only this module's own.</param>
    /// <returns>The named buffers.</returns>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(bool recurse = true)
    {
        foreach (var (prefix, module) in recurse ? NamedModules() : [(string.Empty, this)])
        {
            foreach (var (name, tensor, _) in module._buffers)
            {
                if (tensor is not null)
                {
                    yield return (Join(prefix, name), tensor);
                }
            }
        }
    }

    /// <summary>Every buffer of this module and its descendants.</summary>
    /// <returns>The buffers.</returns>
    public IEnumerable<Tensor> Buffers()
    {
        foreach (var (_, b) in NamedBuffers())
        {
            yield return b;
        }
    }

    /// <summary>This module and every descendant, depth first, each once.</summary>
    /// <returns>The modules.</returns>
    public IEnumerable<Module> Modules()
    {
        foreach (var (_, m) in NamedModules())
        {
            yield return m;
        }
    }

    /// <summary>This module (named "") and every descendant with its dotted name, depth first, each once (torch's named_modules).</summary>
    /// <returns>The named modules.</returns>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(string, Module)>();
        stack.Push((string.Empty, this));
        while (stack.Count > 0)
        {
            var (name, module) = stack.Pop();
            if (!seen.Add(module))
            {
                continue;
            }

            yield return (name, module);
            var children = module.NamedChildren().ToList();
            for (var i = children.Count - 1; i >= 0; i--)
            {
                stack.Push((Join(name, children[i].Key), children[i].Value));
            }
        }
    }

    /// <summary>Calls <paramref name="fn"/> on every descendant and then on this module (torch's apply), for custom initialisation.</summary>
    /// <param name="fn">The function.</param>
    /// <returns>This module.</returns>
    public Module Apply(Action<Module> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        foreach (var (_, child) in NamedChildren())
        {
            child.Apply(fn);
        }

        fn(this);
        return this;
    }

    /// <summary>
    /// Converts every floating parameter and buffer of this module and its descendants to <paramref name="dtype"/>
    /// in place, as PyTorch's module.to(dtype): the parameters stay the same objects (so fields and registrations
    /// still hold them), their gradients are dropped, and integer buffers keep their dtype. In float64 a module runs
    /// for precision and for <see cref="Autograd.GradCheck"/>; the optimizers update float32 parameters.
    /// </summary>
    /// <param name="dtype">Float32 or Float64.</param>
    /// <returns>This module.</returns>
    public Module To(DType dtype)
    {
        if (!dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"Module.To: {dtype.Name()} is not a floating dtype; parameters are float32 or float64.", nameof(dtype));
        }

        foreach (var t in Parameters().Cast<Tensor>().Concat(Buffers()).Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>())
        {
            if (t.DType.IsFloatingPoint())
            {
                t.ConvertInPlace(dtype);
            }
        }

        return this;
    }

    /// <summary>Converts the module to float64 (torch's module.double()).</summary>
    /// <returns>This module.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "PyTorch's conversion names.")]
    public Module Double() => To(DType.Float64);

    /// <summary>Converts the module to float32 (torch's module.float()).</summary>
    /// <returns>This module.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "PyTorch's conversion names.")]
    public Module Float() => To(DType.Float32);

    /// <summary>The number of learnable values.</summary>
    /// <returns>The count.</returns>
    public long ParameterCount()
    {
        long n = 0;
        foreach (var p in Parameters())
        {
            n += p.Numel;
        }

        return n;
    }

    /// <summary>Sets <see cref="Training"/> on this module and its descendants; <see cref="ModuleExtensions.Train{T}"/> and <see cref="ModuleExtensions.Eval{T}"/> call it.</summary>
    /// <param name="mode">True for training.</param>
    internal void SetTraining(bool mode)
    {
        foreach (var module in Modules())
        {
            module.Training = mode;
        }
    }

    /// <summary>Clears the gradient of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
        {
            p.ZeroGrad();
        }
    }

    /// <summary>
    /// The parameters and persistent buffers by dotted name, as copies detached from the graph: the model's
    /// state, in PyTorch's order (each module's parameters, then its buffers, then its children).
    /// </summary>
    /// <returns>The state dict.</returns>
    public StateDict StateDict()
    {
        var state = new StateDict();
        foreach (var (name, tensor) in StateEntries())
        {
            state[name] = tensor.Detach().Clone();
        }

        return state;
    }

    /// <summary>
    /// Copies values from a state dict into the parameters. Every key and shape is checked first and all
    /// mismatches are reported together; nothing is changed when a strict load fails.
    /// </summary>
    /// <param name="state">The values by dotted name.</param>
    /// <param name="strict">Require the keys to match exactly (PyTorch's default).</param>
    /// <returns>The keys that were missing or unexpected (empty for a strict load that succeeded).</returns>
    public LoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateEntries().ToDictionary(x => x.Name, x => x.Tensor, StringComparer.Ordinal);
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var shapeErrors = new List<string>();
        foreach (var (key, p) in own)
        {
            if (state.TryGetValue(key, out var value) && !value.Dims.AsSpan().SequenceEqual(p.Dims))
            {
                shapeErrors.Add($"{key}: the model has {Shapes.Format(p.Dims)}, the state dict {Shapes.Format(value.Dims)}");
            }
        }

        if (shapeErrors.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            var problems = new List<string>();
            if (missing.Count > 0)
            {
                problems.Add("missing keys: " + string.Join(", ", missing));
            }

            if (unexpected.Count > 0)
            {
                problems.Add("unexpected keys: " + string.Join(", ", unexpected));
            }

            problems.AddRange(shapeErrors.Select(e => "shape mismatch for " + e));
            throw new ArgumentException("LoadStateDict: " + string.Join("; ", problems) + ".", nameof(state));
        }

        using (Tensor.NoGrad())
        {
            foreach (var (key, p) in own)
            {
                if (state.TryGetValue(key, out var value))
                {
                    p.CopyFrom(value);
                }
            }
        }

        return new LoadResult(missing, unexpected);
    }

    /// <summary>
    /// PyTorch's printout: a module without children prints its own summary; one with children prints its
    /// type and each child under its name, indented.
    /// </summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var children = NamedChildren().ToList();
        if (children.Count == 0)
        {
            return GetType().Name + "()";
        }

        var sb = new StringBuilder(GetType().Name).Append("(\n");
        foreach (var (name, child) in children)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  ({name}): ").Append(child.ToString().Replace("\n", "\n  ", StringComparison.Ordinal)).Append('\n');
        }

        return sb.Append(')').ToString();
    }

    /// <summary>Registers a parameter under a name.</summary>
    /// <param name="name">The name, without dots.</param>
    /// <param name="parameter">The parameter.</param>
    /// <returns>The parameter.</returns>
    protected Parameter RegisterParameter(string name, Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        _parameters.Add(new(CheckName(name), parameter));
        return parameter;
    }

    /// <summary>Registers a child module under a name.</summary>
    /// <typeparam name="T">The module type.</typeparam>
    /// <param name="name">The name, without dots.</param>
    /// <param name="module">The module.</param>
    /// <returns>The module.</returns>
    protected T RegisterModule<T>(string name, T module)
        where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        _children.Add(new(CheckName(name), module));
        return module;
    }

    /// <summary>
    /// Registers a buffer: a tensor of any dtype that belongs to the module's state (in <see cref="StateDict"/>
    /// when persistent, loaded by <see cref="LoadStateDict"/>) but is not learned (not in <see cref="Parameters"/>).
    /// </summary>
    /// <param name="name">The name, without dots.</param>
    /// <param name="tensor">The tensor, or null for a buffer that is not set yet.</param>
    /// <param name="persistent">Whether the state dict holds it.</param>
    /// <returns>The tensor.</returns>
    protected Tensor? RegisterBuffer(string name, Tensor? tensor, bool persistent = true)
    {
        if (tensor is { RequiresGrad: true })
        {
            throw new ArgumentException($"RegisterBuffer: '{name}' requires grad; a buffer is not learned. Register it as a Parameter, or Detach() it.", nameof(tensor));
        }

        var index = _buffers.FindIndex(b => b.Name == name);
        if (index >= 0)
        {
            _buffers[index] = (name, tensor, persistent);
        }
        else
        {
            _buffers.Add((CheckName(name), tensor, persistent));
        }

        return tensor;
    }

    /// <summary>This module's own parameters: the registered ones, then the <see cref="Parameter"/> fields not registered.</summary>
    private IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => Own(_parameters);

    /// <summary>This module's children: the registered ones, then the <see cref="Module"/> fields not registered.</summary>
    private IEnumerable<KeyValuePair<string, Module>> NamedChildren() => Own(_children);

    private IEnumerable<KeyValuePair<string, T>> Own<T>(List<KeyValuePair<string, T>> registered)
        where T : class
    {
        foreach (var pair in registered)
        {
            yield return pair;
        }

        foreach (var field in Fields(GetType()))
        {
            if (field.GetValue(this) is T value && !registered.Exists(r => ReferenceEquals(r.Value, value)))
            {
                yield return new(FieldName(field.Name), value);
            }
        }
    }

    /// <summary>The state dict's entries: for each module depth first, its parameters, then its persistent buffers.</summary>
    private IEnumerable<(string Name, Tensor Tensor)> StateEntries()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in NamedModules())
        {
            foreach (var (name, p) in module.OwnParameters())
            {
                if (seen.Add(p))
                {
                    yield return (Join(prefix, name), p);
                }
            }

            foreach (var (name, tensor, persistent) in module._buffers)
            {
                if (persistent && tensor is not null)
                {
                    yield return (Join(prefix, name), tensor);
                }
            }
        }
    }

    /// <summary>The instance fields of Module or Parameter type declared by <paramref name="type"/> and its bases below Module, base first.</summary>
    private static FieldInfo[] Fields([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields)] Type type) =>
        s_fields.GetOrAdd(type, static t => Collect(t));

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Module is annotated to keep the fields of every derived type, base types included.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Module is annotated to keep the fields of every derived type, base types included.")]
    private static FieldInfo[] Collect(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(Module); t = t.BaseType)
        {
            chain.Add(t);
        }

        chain.Reverse();
        var fields = new List<FieldInfo>();
        foreach (var t in chain)
        {
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (typeof(Module).IsAssignableFrom(f.FieldType) || typeof(Parameter).IsAssignableFrom(f.FieldType))
                {
                    fields.Add(f);
                }
            }
        }

        return [.. fields];
    }

    /// <summary>A field's state-dict name: the property of a backing field, leading underscores dropped, in snake_case.</summary>
    internal static string FieldName(string field)
    {
        var name = field.StartsWith('<') ? field[1..field.IndexOf('>', StringComparison.Ordinal)] : field.TrimStart('_');
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return name.Contains('.', StringComparison.Ordinal)
            ? throw new ArgumentException($"Module: the name '{name}' contains a dot; dots separate the levels of a state-dict key.", nameof(name))
            : name;
    }
}
