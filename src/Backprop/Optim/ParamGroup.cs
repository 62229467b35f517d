using Backprop.NN;

namespace Backprop.Optim;

/// <summary>
/// A group of parameters with its own hyperparameters, as a dict in torch.optim's param_groups: options
/// named as PyTorch names them ("lr", "momentum", "weight_decay", "beta1", "beta2", "eps", …) override the
/// optimizer's defaults for these parameters only. Schedulers set each group's "lr".
/// </summary>
/// <example><code>
/// var optimizer = new AdamW([
///     new ParamGroup(model.Body.Parameters()),
///     new ParamGroup(model.Head.Parameters()) { ["lr"] = 1e-2f, ["weight_decay"] = 0f },
/// ], learningRate: 1e-3f);
/// </code></example>
public sealed class ParamGroup
{
    private readonly Dictionary<string, float> _given = new(StringComparer.Ordinal);
    private string[]? _names;
    private float[]? _values;
    private string _owner = "ParamGroup";

    /// <summary>Makes a group.</summary>
    /// <param name="parameters">Its parameters.</param>
    public ParamGroup(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = [.. parameters];
    }

    /// <summary>The group's parameters.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The names of the group's options: those given before it joined an optimizer, then all of the optimizer's.</summary>
    public IReadOnlyList<string> Options => _names ?? [.. _given.Keys];

    /// <summary>The learning rate of this group ("lr").</summary>
    public float LearningRate
    {
        get => this["lr"];
        set => this["lr"] = value;
    }

    /// <summary>The learning rate when the first scheduler attached (PyTorch's initial_lr), the base of every schedule.</summary>
    internal float? InitialLearningRate { get; set; }

    /// <summary>The option values, in the order of the optimizer's option names (the learning rate first).</summary>
    internal float[] Values => _values ?? throw new InvalidOperationException("ParamGroup: the group has not joined an optimizer yet.");

    /// <summary>An option's value; setting one the optimizer does not know is refused once the group has joined it.</summary>
    /// <param name="option">The option's name ("lr", "momentum", …).</param>
    public float this[string option]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(option);
            if (_names is null)
            {
                return _given.TryGetValue(option, out var value) ? value : throw new KeyNotFoundException($"ParamGroup: no option '{option}' was given.");
            }

            return _values![IndexOf(option)];
        }

        set
        {
            ArgumentNullException.ThrowIfNull(option);
            if (!float.IsFinite(value) || (option == "lr" && value < 0f))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"{_owner}: option '{option}' must be finite (and the learning rate >= 0).");
            }

            if (_names is null)
            {
                _given[option] = value;
            }
            else
            {
                _values![IndexOf(option)] = value;
            }
        }
    }

    /// <summary>Joins an optimizer: takes its option names, fills what the group did not give from its defaults, and refuses unknown options.</summary>
    internal void Bind(string owner, string[] names, float[] defaults)
    {
        if (_names is not null)
        {
            throw new ArgumentException($"{owner}: the parameter group already belongs to an optimizer.", nameof(names));
        }

        foreach (var key in _given.Keys)
        {
            if (Array.IndexOf(names, key) < 0)
            {
                throw new ArgumentException($"{owner}: the parameter group option '{key}' is not one of {string.Join(", ", names)}.", nameof(names));
            }
        }

        var values = (float[])defaults.Clone();
        for (var i = 0; i < names.Length; i++)
        {
            if (_given.TryGetValue(names[i], out var value))
            {
                values[i] = value;
            }
        }

        _owner = owner;
        _names = names;
        _values = values;
    }

    private int IndexOf(string option)
    {
        var i = Array.IndexOf(_names!, option);
        return i >= 0 ? i : throw new KeyNotFoundException($"{_owner}: no option '{option}'; the options are {string.Join(", ", _names!)}.");
    }
}
