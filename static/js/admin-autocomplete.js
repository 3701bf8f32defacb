/* Names the search box of each admin autocomplete field after the field's label: Select2 4.0,
   which Django's admin uses, leaves it unnamed for screen readers. Loaded after Django's
   autocomplete.js (tracker/widgets.py), so it runs once the fields are set up. */
'use strict';
{
    const $ = django.jQuery;

    function fieldName(select) {
        const label = select.id && document.querySelector(`label[for="${select.id}"]`);
        return label ? label.textContent.trim().replace(/:$/, '') : '';
    }

    // A field that takes one object is a combobox that Select2 names only by the chosen
    // object's text: nothing at all while none is chosen. Name it by the field's label, then
    // the choice ("Member group: ASEAN"); the box showing the choice, by the label alone.
    function nameSelection(select, container) {
        const label = select.id && document.querySelector(`label[for="${select.id}"]`);
        const combobox = container.querySelector('.select2-selection--single[role="combobox"]');
        const rendered = container.querySelector('.select2-selection__rendered');
        if (!label || !combobox || !rendered || !rendered.id) {
            return;
        }
        label.id = label.id || `${select.id}-label`;
        rendered.setAttribute('aria-labelledby', label.id);
        combobox.setAttribute('aria-labelledby', `${label.id} ${rendered.id}`);
    }

    // Fields that take several objects keep their search box beside the chosen ones.
    $(function() {
        document.querySelectorAll('select.admin-autocomplete').forEach((select) => {
            const container = select.nextElementSibling;
            if (container) {
                nameSelection(select, container);
            }
            const search = container && container.querySelector('.select2-search__field');
            if (search) {
                search.setAttribute('aria-label', fieldName(select));
            }
        });
    });

    // Fields that take one object show their search box in the list, once it is open.
    $(document).on('select2:open', (event) => {
        const search = document.querySelector('.select2-container--open .select2-search__field');
        if (search) {
            search.setAttribute('aria-label', fieldName(event.target));
        }
    });
}
