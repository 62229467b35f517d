using System.Globalization;
using Backprop.Kernels;
using Backprop.NN;

namespace Backprop.Optim;

/// <summary>
/// The base of every optimizer: it holds the parameters, a learning rate, and per-parameter buffers
/// (momentum, moment estimates) that make up its state dict, so that training can resume.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Parameters at least this large are updated by all kernel threads, each on its own slice.</summary>
    private const int ParallelMinimum = 1 << 16;

    private readonly Parameter[] _parameters;
    private readonly Dictionary<string, float[]>[] _state;
    private readonly float[]?[] _scratch;
    private readonly bool[] _fresh;
    private readonly bool[] _ready;

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
        _fresh = new bool[_parameters.Length];
        _ready = new bool[_parameters.Length];
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
            if (setToNone || p.GradData is null)
            {
                p.ZeroGrad();
            }
            else
            {
                p.GradData.AsSpan().Clear();
            }
        }
    }

    /// <summary>Updates every parameter that has a gradient; large ones are split among the kernel threads.</summary>
    public void Step()
    {
        StepCount++;
        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (p.GradData is null)
            {
                continue;
            }

            if (!_ready[i])
            {
                EnsureState(i);
            }
            WorkSplitter.For(p.Numel, ParallelMinimum, (Optimizer: this, Index: i, Param: p), static (s, start, length) =>
                s.Optimizer.Update(s.Index, start, s.Param.Data.AsSpan(start, length), s.Param.GradData!.AsSpan(start, length)));
            _fresh[i] = false;
            p.BumpVersion();
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

        Array.Clear(_ready);

        foreach (var (index, name, values) in buffers)
        {
            _state[index][name] = values;
        }

        StepCount = (long)step.Item();
        LearningRate = lr.Item();
    }

    /// <summary>The names of the state buffers each parameter needs ("momentum_buffer", "exp_avg").</summary>
    protected abstract IReadOnlyList<string> StateNames { get; }

    /// <summary>How many scratch arrays (0, 1 or 2) an update of one parameter uses.</summary>
    protected abstract int ScratchSlots { get; }

    /// <summary>
    /// Updates a slice of one parameter in place from the same slice of its gradient. Slices of one
    /// parameter may be updated at the same time on different threads, so an update touches only its
    /// slice of the parameter's buffers.
    /// </summary>
    /// <param name="index">The parameter's position, for its buffers.</param>
    /// <param name="start">Where the slice starts in the parameter.</param>
    /// <param name="param">The slice of the parameter's values.</param>
    /// <param name="grad">The same slice of its gradient.</param>
    protected abstract void Update(int index, int start, Span<float> param, ReadOnlySpan<float> grad);

    /// <summary>True during the first step that updates parameter <paramref name="index"/> (its buffers were just created).</summary>
    /// <param name="index">The parameter's position.</param>
    /// <returns>Whether its state is fresh.</returns>
    protected bool IsFirstUpdate(int index) => _fresh[index];

    /// <summary>The slice of a named state buffer that belongs to an update.</summary>
    /// <param name="index">The parameter's position.</param>
    /// <param name="name">The buffer's name, one of <see cref="StateNames"/>.</param>
    /// <param name="start">Where the slice starts.</param>
    /// <param name="length">Its length.</param>
    /// <returns>The slice.</returns>
    protected Span<float> Buffer(int index, string name, int start, int length) => _state[index][name].AsSpan(start, length);

    /// <summary>The slice of a scratch array the size of the parameter, reused across steps and not saved.</summary>
    /// <param name="index">The parameter's position.</param>
    /// <param name="start">Where the slice starts.</param>
    /// <param name="length">Its length.</param>
    /// <param name="slot">Which of the parameter's two scratch arrays (0 or 1).</param>
    /// <returns>The slice.</returns>
    protected Span<float> Scratch(int index, int start, int length, int slot = 0) =>
        _scratch[(index * 2) + slot].AsSpan(start, length);

    private void EnsureState(int index)
    {
        var numel = _parameters[index].Numel;
        foreach (var name in StateNames)
        {
            if (!_state[index].ContainsKey(name))
            {
                _state[index][name] = new float[numel];
                _fresh[index] = true;
            }
        }

        for (var slot = 0; slot < ScratchSlots; slot++)
        {
            _scratch[(index * 2) + slot] ??= new float[numel];
        }

        _ready[index] = true;
    }
}
