using System.Globalization;
using Backprop.Kernels;
using Backprop.NN;

namespace Backprop.Optim;

/// <summary>
/// The base of every optimizer: it holds parameter groups (each with its own hyperparameters, as torch.optim's
/// param_groups) and per-parameter buffers (momentum, moment estimates) that make up its state dict, so that
/// training can resume.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Parameters at least this large are updated by all kernel threads, each on its own slice.</summary>
    private const int ParallelMinimum = 1 << 16;

    private readonly ParamGroup[] _groups;
    private readonly Parameter[] _parameters;
    private readonly int[] _groupOf;
    private readonly Dictionary<string, float[]>[] _state;
    private readonly float[]?[] _scratch;
    private readonly bool[] _fresh;
    private readonly bool[] _ready;

    /// <summary>
    /// Makes an optimizer over parameter groups. <paramref name="options"/> names the hyperparameters ("lr"
    /// first) and <paramref name="defaults"/> gives their values for groups that do not set them.
    /// </summary>
    /// <param name="groups">The parameter groups; a parameter may be in one group only.</param>
    /// <param name="options">The names of the hyperparameters, "lr" first.</param>
    /// <param name="defaults">Their default values.</param>
    protected Optimizer(IEnumerable<ParamGroup> groups, string[] options, float[] defaults)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(defaults);
        _groups = [.. groups];
        var parameters = new List<Parameter>();
        var groupOf = new List<int>();
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        for (var g = 0; g < _groups.Length; g++)
        {
            _groups[g].Bind(GetType().Name, options, defaults);
            if (!(_groups[g].LearningRate >= 0f))
            {
                throw new ArgumentOutOfRangeException(nameof(groups), $"{GetType().Name}: the learning rate must be a finite number >= 0.");
            }

            foreach (var p in _groups[g].Parameters)
            {
                if (!seen.Add(p))
                {
                    throw new ArgumentException($"{GetType().Name}: a parameter of shape {Shapes.Format(p.Dims)} appears in more than one group (or twice in one).", nameof(groups));
                }

                if (p.DType != DType.Float32)
                {
                    throw new ArgumentException($"{GetType().Name}: the parameter of shape {Shapes.Format(p.Dims)} is {p.DType.Name()}; optimizers update float32 parameters.", nameof(groups));
                }

                parameters.Add(p);
                groupOf.Add(g);
            }
        }

        _parameters = [.. parameters];
        _groupOf = [.. groupOf];
        if (_parameters.Length == 0)
        {
            throw new ArgumentException($"{GetType().Name}: no parameters to optimise.", nameof(groups));
        }

        _state = new Dictionary<string, float[]>[_parameters.Length];
        _scratch = new float[]?[_parameters.Length * 2];
        _fresh = new bool[_parameters.Length];
        _ready = new bool[_parameters.Length];
        for (var i = 0; i < _state.Length; i++)
        {
            _state[i] = new Dictionary<string, float[]>(StringComparer.Ordinal);
        }
    }

    /// <summary>The parameters this optimizer updates, group after group.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The parameter groups, each with its own hyperparameters.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>The learning rate of the first group; setting it sets every group's.</summary>
    public float LearningRate
    {
        get => _groups[0].LearningRate;
        set
        {
            if (!(value >= 0f) || float.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"{GetType().Name}: the learning rate must be a finite number >= 0.");
            }

            foreach (var group in _groups)
            {
                group.LearningRate = value;
            }
        }
    }

    /// <summary>How many steps have been taken.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// Clears the gradient of every parameter: by default the existing gradient buffers are kept and count as zeros,
    /// so that steady-state training allocates no new ones (the next backward writes over them where it can, instead
    /// of adding to cleared memory; reading one first gives zeros); with <paramref name="setToNone"/> it drops them
    /// (PyTorch's default), and the next backward allocates afresh.
    /// </summary>
    /// <param name="setToNone">Drop the gradients instead of zeroing them.</param>
    public void ZeroGrad(bool setToNone = false)
    {
        foreach (var p in _parameters)
        {
            if (setToNone)
            {
                p.ZeroGrad();
            }
            else
            {
                p.ZeroGradLazily();
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

    /// <summary>
    /// The state in torch.optim's layout, flattened: every buffer as "state.{index}.{name}", each group's options
    /// as "param_groups.{group}.{option}" and its parameters' indices as "param_groups.{group}.params" (int64),
    /// and the step count as "step" (int64).
    /// </summary>
    /// <returns>The state dict.</returns>
    public StateDict StateDict()
    {
        var dict = new StateDict { ["step"] = Tensor.Full(StepCount, [], DType.Int64) };
        for (var g = 0; g < _groups.Length; g++)
        {
            foreach (var option in _groups[g].Options)
            {
                dict[Key($"param_groups.{g}.{option}")] = Tensor.Scalar(_groups[g][option]);
            }

            dict[Key($"param_groups.{g}.params")] = Tensor.FromArray([.. Enumerable.Range(0, _parameters.Length).Where(i => _groupOf[i] == g).Select(i => (long)i)]);
        }

        for (var i = 0; i < _state.Length; i++)
        {
            foreach (var (name, buffer) in _state[i])
            {
                dict[Key($"state.{i}.{name}")] = Tensor.FromArray(buffer, _parameters[i].Shape);
            }
        }

        return dict;
    }

    /// <summary>Restores a state saved by <see cref="StateDict"/> from an optimizer of the same kind over the same parameter groups.</summary>
    /// <param name="state">The state.</param>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var buffers = new List<(int Index, string Name, float[] Values)>();
        var options = new List<(int Group, string Option, float Value)>();
        foreach (var (key, value) in state)
        {
            var parts = key.Split('.', 3);
            if (key == "step")
            {
                continue;
            }

            if (key == "lr")
            {
                // The layout before parameter groups (checkpoints of earlier versions): one rate for every group.
                for (var g = 0; g < _groups.Length; g++)
                {
                    options.Add((g, "lr", value.Item()));
                }

                continue;
            }

            if (parts.Length == 3 && parts[0] == "param_groups" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var group) && group < _groups.Length)
            {
                if (parts[2] == "params")
                {
                    var expected = Enumerable.Range(0, _parameters.Length).Where(i => _groupOf[i] == group).Select(i => (long)i);
                    if (value.DType != DType.Int64 || !value.AsSpan<long>().SequenceEqual(expected.ToArray()))
                    {
                        throw new ArgumentException($"{GetType().Name}.LoadStateDict: group {group} holds other parameters than this optimizer's group {group}.", nameof(state));
                    }
                }
                else if (_groups[group].Options.Contains(parts[2]))
                {
                    options.Add((group, parts[2], value.Item()));
                }
                else
                {
                    throw new ArgumentException($"{GetType().Name}.LoadStateDict: group {group} has no option '{parts[2]}'.", nameof(state));
                }

                continue;
            }

            if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= _parameters.Length)
            {
                throw new ArgumentException($"{GetType().Name}.LoadStateDict: unexpected key '{key}' for {_parameters.Length} parameters in {_groups.Length} groups.", nameof(state));
            }

            if (value.Numel != _parameters[index].Numel)
            {
                throw new ArgumentException($"{GetType().Name}.LoadStateDict: '{key}' has {value.Numel} values but parameter {index} has {_parameters[index].Numel}.", nameof(state));
            }

            buffers.Add((index, parts[2], value.ToArray()));
        }

        if (!state.TryGetValue("step", out var step) || !options.Exists(o => o.Option == "lr"))
        {
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: the state lacks 'step' or the groups' 'lr'.", nameof(state));
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

        foreach (var (group, option, value) in options)
        {
            _groups[group][option] = value;
        }

        StepCount = step.DType == DType.Int64 ? step.Item<long>() : (long)step.Item();
    }

    /// <summary>The names of the state buffers a parameter of a group with these option values needs ("momentum_buffer", "exp_avg").</summary>
    /// <param name="options">The group's option values, in the order of the optimizer's option names.</param>
    /// <returns>The names.</returns>
    protected abstract IReadOnlyList<string> StateNames(float[] options);

    /// <summary>How many scratch arrays (0, 1 or 2) an update of a parameter of a group with these option values uses.</summary>
    /// <param name="options">The group's option values.</param>
    /// <returns>The count.</returns>
    protected abstract int ScratchSlots(float[] options);

    /// <summary>The option values of the group that parameter <paramref name="index"/> belongs to, in the order of the optimizer's option names ("lr" first).</summary>
    /// <param name="index">The parameter's position.</param>
    /// <returns>The values; read them, do not keep them.</returns>
    protected float[] Options(int index) => _groups[_groupOf[index]].Values;

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

    private static string Key(FormattableString key) => FormattableString.Invariant(key);

    private void EnsureState(int index)
    {
        var numel = _parameters[index].Numel;
        var options = Options(index);
        foreach (var name in StateNames(options))
        {
            if (!_state[index].ContainsKey(name))
            {
                _state[index][name] = new float[numel];
                _fresh[index] = true;
            }
        }

        for (var slot = 0; slot < ScratchSlots(options); slot++)
        {
            _scratch[(index * 2) + slot] ??= new float[numel];
        }

        _ready[index] = true;
    }
}
