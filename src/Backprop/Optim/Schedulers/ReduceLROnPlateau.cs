namespace Backprop.Optim.Schedulers;

/// <summary>Whether <see cref="ReduceLROnPlateau"/> watches a quantity that should fall (a loss) or rise (an accuracy).</summary>
public enum PlateauMode
{
    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>
/// Multiplies every group's learning rate by a factor when a watched metric has not improved for
/// <c>patience</c> steps, as torch.optim.lr_scheduler.ReduceLROnPlateau (relative threshold): call
/// <see cref="Step"/> with the metric once per epoch.
/// </summary>
public sealed class ReduceLROnPlateau
{
    private readonly PlateauMode _mode;
    private readonly float _factor;
    private readonly int _patience;
    private readonly float _threshold;
    private readonly int _cooldown;
    private readonly float _minLearningRate;
    private readonly float _eps;
    private int _cooldownLeft;

    /// <summary>Makes the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="mode">Whether the metric should fall or rise.</param>
    /// <param name="factor">The multiplier, in (0, 1).</param>
    /// <param name="patience">Steps without improvement that are tolerated.</param>
    /// <param name="threshold">The relative change that counts as an improvement.</param>
    /// <param name="cooldown">Steps to wait after a reduction before counting again.</param>
    /// <param name="minLearningRate">The lowest learning rate.</param>
    /// <param name="eps">Reductions smaller than this are skipped.</param>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, float factor = 0.1f, int patience = 10, float threshold = 1e-4f, int cooldown = 0, float minLearningRate = 0f, float eps = 1e-8f)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!(factor > 0f && factor < 1f) || patience < 0 || cooldown < 0 || threshold < 0f || minLearningRate < 0f)
        {
            throw new ArgumentException($"ReduceLROnPlateau: factor {factor} must be in (0, 1), and patience {patience}, cooldown {cooldown}, threshold {threshold} and the minimum rate {minLearningRate} >= 0.", nameof(factor));
        }

        Optimizer = optimizer;
        _mode = mode;
        _factor = factor;
        _patience = patience;
        _threshold = threshold;
        _cooldown = cooldown;
        _minLearningRate = minLearningRate;
        _eps = eps;
        Best = mode == PlateauMode.Min ? float.PositiveInfinity : float.NegativeInfinity;
    }

    /// <summary>The optimizer whose learning rates this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The best metric seen.</summary>
    public float Best { get; private set; }

    /// <summary>Steps since the metric last improved.</summary>
    public int BadSteps { get; private set; }

    /// <summary>Records this step's metric and reduces the learning rates once patience has run out.</summary>
    /// <param name="metric">The watched quantity (a validation loss, say).</param>
    public void Step(float metric)
    {
        var improved = _mode == PlateauMode.Min ? metric < Best * (Best >= 0 ? 1f - _threshold : 1f + _threshold) : metric > Best * (Best >= 0 ? 1f + _threshold : 1f - _threshold);
        if (improved || float.IsInfinity(Best))
        {
            Best = metric;
            BadSteps = 0;
        }
        else
        {
            BadSteps++;
        }

        if (_cooldownLeft > 0)
        {
            _cooldownLeft--;
            BadSteps = 0;
        }

        if (BadSteps > _patience)
        {
            foreach (var group in Optimizer.ParamGroups)
            {
                var reduced = Math.Max(group.LearningRate * _factor, _minLearningRate);
                if (group.LearningRate - reduced > _eps)
                {
                    group.LearningRate = reduced;
                }
            }

            _cooldownLeft = _cooldown;
            BadSteps = 0;
        }
    }
}
