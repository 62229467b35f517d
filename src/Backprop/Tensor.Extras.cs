namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// The fields that few tensors use (a strided view's layout, the <see cref="Grad"/> tensor, RetainGrad, hooks), in one
    /// object made on first use, so that an op's output, of which a training step makes dozens, is 16 bytes smaller.
    /// </summary>
    private Extras? _extras;

    /// <summary>For a strided view (a slice), where its elements sit in the base's storage; its own storage is their row-major copy.</summary>
    private ViewLayout? StridedLayout
    {
        get => _extras?.Layout;
        set => SetExtra(value, static (e, v) => e.Layout = v);
    }

    /// <summary>The <see cref="Grad"/> tensor around <see cref="_gradData"/>, once asked for or set.</summary>
    private Tensor? GradTensor
    {
        get => _extras?.GradTensor;
        set => SetExtra(value, static (e, v) => e.GradTensor = v);
    }

    /// <summary>Whether backward keeps this non-leaf tensor's gradient (<see cref="RetainGrad"/>).</summary>
    private bool RetainsGradFlag
    {
        get => _extras?.RetainsGrad ?? false;
        set => SetExtra(value, static (e, v) => e.RetainsGrad = v);
    }

    /// <summary>The gradient and post-accumulate hooks, or null.</summary>
    private HookLists? Hooks => _extras?.Hooks;

    /// <summary>The hook lists, made on first use.</summary>
    private HookLists HookListsToAdd => (_extras ??= new()).Hooks ??= new();

    /// <summary>Sets a field of the side object, making it only for a value other than the default.</summary>
    private void SetExtra<T>(T value, Action<Extras, T> set)
    {
        if (_extras is null && EqualityComparer<T>.Default.Equals(value, default))
        {
            return;
        }

        set(_extras ??= new(), value);
    }

    private sealed class Extras
    {
        public ViewLayout? Layout { get; set; }

        public Tensor? GradTensor { get; set; }

        public bool RetainsGrad { get; set; }

        public HookLists? Hooks { get; set; }
    }
}
