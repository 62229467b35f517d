using Backprop.Kernels;

namespace Backprop.NN;

/// <summary>
/// The base of every layer and model: it owns parameters and child modules under names, so that
/// <see cref="NamedParameters"/> and <see cref="StateDict"/> give PyTorch's dotted keys ("0.weight").
/// </summary>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Parameter>> _parameters = [];
    private readonly List<KeyValuePair<string, Module>> _children = [];

    /// <summary>True in training mode (the default); false after <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The child modules, in registration order, with their names.</summary>
    public IReadOnlyList<KeyValuePair<string, Module>> Children => _children;

    /// <summary>Computes the module's output; autograd records it for backward.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The output.</returns>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Every parameter of this module and its descendants, depth first.</summary>
    /// <returns>The parameters.</returns>
    public IEnumerable<Parameter> Parameters()
    {
        foreach (var (_, p) in NamedParameters())
        {
            yield return p;
        }
    }

    /// <summary>Every parameter with its dotted name ("0.weight", "encoder.1.bias").</summary>
    /// <returns>The named parameters.</returns>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach (var (name, p) in _parameters)
        {
            yield return (name, p);
        }

        foreach (var (childName, child) in _children)
        {
            foreach (var (name, p) in child.NamedParameters())
            {
                yield return (childName + "." + name, p);
            }
        }
    }

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

    /// <summary>Switches this module and its descendants to training (or evaluation) mode.</summary>
    /// <param name="mode">True for training.</param>
    /// <returns>This module.</returns>
    public Module Train(bool mode = true)
    {
        Training = mode;
        foreach (var (_, child) in _children)
        {
            child.Train(mode);
        }

        return this;
    }

    /// <summary>Switches to evaluation mode (Dropout off).</summary>
    /// <returns>This module.</returns>
    public Module Eval() => Train(false);

    /// <summary>Clears the gradient of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
        {
            p.ZeroGrad();
        }
    }

    /// <summary>The parameters by dotted name, as copies detached from the graph: the model's persistent state.</summary>
    /// <returns>The state dict, in registration order.</returns>
    public StateDict StateDict()
    {
        var state = new StateDict();
        foreach (var (name, p) in NamedParameters())
        {
            state[name] = p.Detach().Clone();
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
        var own = NamedParameters().ToDictionary(x => x.Name, x => x.Parameter, StringComparer.Ordinal);
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

    /// <summary>Registers a parameter under a name.</summary>
    /// <param name="name">The name, without dots.</param>
    /// <param name="parameter">The parameter.</param>
    /// <returns>The parameter.</returns>
    protected Parameter RegisterParameter(string name, Parameter parameter)
    {
        _parameters.Add(new(name, parameter));
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
        _children.Add(new(name, module));
        return module;
    }
}
