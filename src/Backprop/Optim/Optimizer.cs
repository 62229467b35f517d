using System.Globalization;
using Backprop.NN;

namespace Backprop.Optim;

/// <summary>
/// The base of every optimizer: it holds the parameters, a learning rate, and per-parameter buffers
/// (momentum, moment estimates) that make up its state dict, so that training can resume.
/// </summary>
public abstract class Optimizer
{
    private readonly Parameter[] _parameters;
    private readonly Dictionary<string, float[]>[] _state;
    private readonly float[]?[] _scratch;

    /// <summary>Makes an optimizer over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">The learning rate; positive.</param>
    protected Optimizer(IEnumerable<Parameter> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        if (_parameters.Length == 0)
        {
            throw new ArgumentException($"{GetType().Name}: no parameters to optimise.", nameof(parameters));
        }

        LearningRate = learningRate;
        _state = new Dictionary<string, float[]>[_parameters.Length];
        _scratch = new float[]?[_parameters.Length * 2];
        for (var i = 0; i < _state.Length; i++)
        {
            _state[i] = new Dictionary<string, float[]>(StringComparer.Ordinal);
        }
    }

    /// <summary>The parameters this optimizer updates.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The learning rate (schedulers change it).</summary>
    public float LearningRate
    {
        get;
        set
        {
            if (!(value >= 0f) || float.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"{GetType().Name}: the learning rate must be a finite number >= 0.");
            }

            field = value;
        }
    }

    /// <summary>How many steps have been taken.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// Clears the gradient of every parameter: by default it fills the existing gradient buffers with zeros,
    /// so that steady-state training allocates no new ones; with <paramref name="setToNone"/> it drops them
    /// (PyTorch's default), and the next backward allocates afresh.
    /// </summary>
    /// <param name="setToNone">Drop the gradients instead of zeroing them.</param>
    public void ZeroGrad(bool setToNone = false)
    {
        foreach (var p in _parameters)
        {
            if (setToNone || p.Grad is null)
            {
                p.ZeroGrad();
            }
            else
            {
                p.Grad.Data.AsSpan().Clear();
            }
        }
    }

    /// <summary>Updates every parameter that has a gradient.</summary>
    public void Step()
    {
        StepCount++;
        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (p.Grad is null)
            {
                continue;
            }

            Update(i, p.Data, p.Grad.Data);
            p.Version.Bump();
        }
    }

    /// <summary>The state: every buffer as "state.{index}.{name}", and the step count as "step".</summary>
    /// <returns>The state dict.</returns>
    public StateDict StateDict()
    {
        var dict = new StateDict { ["step"] = Tensor.Scalar(StepCount), ["lr"] = Tensor.Scalar(LearningRate) };
        for (var i = 0; i < _state.Length; i++)
        {
            foreach (var (name, buffer) in _state[i])
            {
                dict[string.Create(CultureInfo.InvariantCulture, $"state.{i}.{name}")] = Tensor.FromArray(buffer, _parameters[i].Shape);
            }
        }

        return dict;
    }

    /// <summary>Restores a state saved by <see cref="StateDict"/> from an optimizer of the same kind over the same parameters.</summary>
    /// <param name="state">The state.</param>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var buffers = new List<(int Index, string Name, float[] Values)>();
        foreach (var (key, value) in state)
        {
            if (key is "step" or "lr")
            {
                continue;
            }

            var parts = key.Split('.', 3);
            if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= _parameters.Length)
            {
                throw new ArgumentException($"{GetType().Name}.LoadStateDict: unexpected key '{key}' for {_parameters.Length} parameters.", nameof(state));
            }

            if (value.Numel != _parameters[index].Numel)
            {
                throw new ArgumentException($"{GetType().Name}.LoadStateDict: '{key}' has {value.Numel} values but parameter {index} has {_parameters[index].Numel}.", nameof(state));
            }

            buffers.Add((index, parts[2], value.ToArray()));
        }

        if (!state.TryGetValue("step", out var step) || !state.TryGetValue("lr", out var lr))
        {
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: the state lacks 'step' or 'lr'.", nameof(state));
        }

        foreach (var s in _state)
        {
            s.Clear();
        }

        foreach (var (index, name, values) in buffers)
        {
            _state[index][name] = values;
        }

        StepCount = (long)step.Item();
        LearningRate = lr.Item();
    }

    /// <summary>Updates one parameter in place from its gradient.</summary>
    /// <param name="index">The parameter's position, for its buffers.</param>
    /// <param name="param">The parameter's values.</param>
    /// <param name="grad">Its gradient.</param>
    protected abstract void Update(int index, Span<float> param, ReadOnlySpan<float> grad);

    /// <summary>A named state buffer of one parameter, created as zeros on first use.</summary>
    /// <param name="index">The parameter's position.</param>
    /// <param name="name">The buffer's name ("momentum_buffer", "exp_avg").</param>
    /// <param name="created">True when the buffer was just created.</param>
    /// <returns>The buffer.</returns>
    protected float[] Buffer(int index, string name, out bool created)
    {
        created = !_state[index].TryGetValue(name, out var buffer);
        if (created)
        {
            buffer = new float[_parameters[index].Numel];
            _state[index][name] = buffer;
        }

        return buffer!;
    }

    /// <summary>A scratch array the size of one parameter, reused across steps and not saved.</summary>
    /// <param name="index">The parameter's position.</param>
    /// <param name="slot">Which of the parameter's two scratch arrays (0 or 1).</param>
    /// <returns>The scratch array.</returns>
    protected float[] Scratch(int index, int slot = 0) => _scratch[(index * 2) + slot] ??= new float[_parameters[index].Numel];
}
