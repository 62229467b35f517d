namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// The fields that few tensors use (a strided view's layout, the <see cref="Grad"/> tensor, RetainGrad, hooks), in one
    /// object made on first use, so that an op's output, of which a training step makes dozens, is 24 bytes smaller (80).
    /// </summary>
    private Extras? _extras;

    /// <summary>For a strided view (a slice), where its elements sit in the base's storage; its own storage is their row-major copy.</summary>
    private ViewLayout? StridedLayout
    {
        get => _extras?.Layout;
        set
        {
            if (value is not null || _extras is not null)
            {
                (_extras ??= new()).Layout = value;
            }
        }
    }

    /// <summary>The <see cref="Grad"/> tensor around <see cref="_gradData"/>, once asked for or set.</summary>
    private Tensor? GradTensor
    {
        get => _extras?.GradTensor;
        set
        {
            if (value is not null || _extras is not null)
            {
                (_extras ??= new()).GradTensor = value;
            }
        }
    }

    /// <summary>Whether backward keeps this tensor's gradient although it is not a leaf (<see cref="RetainGrad"/>).</summary>
    internal bool RetainsGrad
    {
        get => _extras?.RetainsGrad ?? false;
        private set
        {
            if (value || _extras is not null)
            {
                (_extras ??= new()).RetainsGrad = value;
            }
        }
    }

    /// <summary>
    /// True when <see cref="_gradData"/> stands for zeros it does not hold yet (<see cref="ZeroGradLazily"/>): the next
    /// writer overwrites it instead of adding (the GEMM, a first deposit), and any reader clears it first. Kept here,
    /// since only parameters use it, so that a tensor's own flags stay within its 80 bytes.
    /// </summary>
    private bool GradPendingZero
    {
        get => _extras?.GradPendingZero ?? false;
        set
        {
            if (value || _extras is not null)
            {
                (_extras ??= new()).GradPendingZero = value;
            }
        }
    }

    /// <summary>The gradient and post-accumulate hooks, or null.</summary>
    private HookLists? Hooks => _extras?.Hooks;

    /// <summary>The hook lists, made on first use.</summary>
    private HookLists HookListsToAdd => (_extras ??= new()).Hooks ??= new();

    private sealed class Extras
    {
        public ViewLayout? Layout { get; set; }

        public Tensor? GradTensor { get; set; }

        public bool RetainsGrad { get; set; }

        public bool GradPendingZero { get; set; }

        public HookLists? Hooks { get; set; }
    }
}
